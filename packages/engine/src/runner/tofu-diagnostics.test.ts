import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeTofuFailure, parseDiagnostics } from './tofu-diagnostics.js';

// Real outputs of OpenTofu 1.10.10, captured by testdata/diagnostics/capture.sh on the fixture modules.
const captured = (name: string) =>
  readFileSync(new URL(`./testdata/diagnostics/${name}`, import.meta.url), 'utf8').split('\n');

const BOX_OR_CODE = /[│╷╵├─]|\u001b|\bline \d+\b|^\s*\d+:/;

describe('parseDiagnostics', () => {
  it('reads a failed precondition of the echo fixture: summary, the module’s message, the resource', () => {
    const diagnostics = parseDiagnostics(captured('plan-precondition.txt'));
    expect(diagnostics).toEqual([
      {
        severity: 'warning',
        summary: 'Unable to open CLI configuration file',
        detail: 'The CLI configuration file at "/nonexistent/tofu.tfrc" does not exist.',
        address: undefined,
      },
      {
        severity: 'error',
        summary: 'Resource precondition failed',
        detail: 'The fixture was asked to fail (params.fail = true).',
        address: undefined,
      },
    ]);
  });

  it('reads the same diagnostic out of the coloured, boxed output', () => {
    const lines = captured('plan-precondition-color.txt');
    expect(lines.join('\n')).toContain('\u001b[31m│\u001b[0m');
    expect(parseDiagnostics(lines).filter((d) => d.severity === 'error')).toEqual([
      {
        severity: 'error',
        summary: 'Resource precondition failed',
        detail: 'The fixture was asked to fail (params.fail = true).',
        address: undefined,
      },
    ]);
  });

  it('joins the lines tofu wrapped and leaves out the code and its values', () => {
    const [error] = parseDiagnostics(captured('plan-missing-file.txt')).filter((d) => d.severity === 'error');
    expect(error?.summary).toBe('Invalid function argument');
    expect(error?.detail).toBe(
      'Invalid value for "path" parameter: no file exists at "/nonexistent/watched.txt"; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource.',
    );
  });

  it('reads each of several errors', () => {
    const errors = parseDiagnostics(captured('plan-two-errors.txt')).filter((d) => d.severity === 'error');
    expect(errors.map((e) => [e.summary, e.detail])).toEqual([
      ['Unsupported argument', 'An argument named "bogus" is not expected here.'],
      [
        'Reference to undeclared input variable',
        'An input variable with the name "nope" has not been declared. This variable can be declared with a variable "nope" {} block.',
      ],
    ]);
  });

  it('reads the diagnostics of -json events whole, with the resource they are about', () => {
    const errors = parseDiagnostics(captured('apply-local-exec.jsonl')).filter((d) => d.severity === 'error');
    expect(errors).toEqual([
      {
        severity: 'error',
        summary: 'local-exec provisioner error',
        detail:
          "Error running command 'echo 'cannot reach 10.0.0.7:5432' >&2; exit 3': exit status 3. Output: cannot reach 10.0.0.7:5432",
        address: 'terraform_data.setup',
      },
    ]);
  });
});

describe('describeTofuFailure', () => {
  it('says a failed precondition in the module author’s words, without code or box-drawing', () => {
    for (const file of ['plan-precondition.txt', 'plan-precondition-color.txt']) {
      const message = describeTofuFailure(captured(file));
      expect(message).toBe('The fixture was asked to fail (params.fail = true).');
    }
  });

  it('cuts a long explanation at a sentence; the rest stays in the log', () => {
    const message = describeTofuFailure(captured('plan-missing-file.txt'));
    expect(message).toBe(
      'Invalid function argument: Invalid value for "path" parameter: no file exists at "/nonexistent/watched.txt".',
    );
    expect(message).not.toMatch(BOX_OR_CODE);
  });

  it('says the first error and how many more the log holds', () => {
    expect(describeTofuFailure(captured('plan-two-errors.txt'))).toBe(
      'Unsupported argument: An argument named "bogus" is not expected here (and one more error, in the log).',
    );
    expect(describeTofuFailure(captured('init-missing-module.txt'))).toBe(
      'Unreadable module directory: Unable to evaluate directory symlink: lstat ../nowhere: no such file or directory (and one more error, in the log).',
    );
  });

  it('reads an apply’s -json events and hides secrets the JSON escaping kept whole', () => {
    const lines = captured('apply-local-exec.jsonl');
    expect(describeTofuFailure(lines)).toBe(
      "local-exec provisioner error: Error running command 'echo 'cannot reach 10.0.0.7:5432' >&2; exit 3': exit status 3. Output: cannot reach 10.0.0.7:5432.",
    );
    // In the JSON line the quotes around the address are escaped: only the decoded text holds it whole.
    const redact = (text: string) => text.replaceAll("'cannot reach 10.0.0.7:5432'", '(sensitive value)');
    expect(describeTofuFailure(lines, redact)).toContain("Error running command 'echo (sensitive value) >&2");
  });

  it('says who holds the state lock, since when, and how it is released', () => {
    expect(describeTofuFailure(captured('plan-locked.txt'))).toMatch(
      /^The state lock is held by another run \(an apply by root@\S+ since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC\): wait for it to end and try again; if no run is going, release it with a force-unlock of lock [0-9a-f-]{36}\.$/,
    );
  });

  it('names the passphrase setting when the state cannot be decrypted', () => {
    // OpenTofu 1.10 on a state encrypted with another passphrase: a summary and no detail (the engine's
    // tests/engine/secrets-at-rest.test.ts makes it for real).
    const lines = [
      '',
      'Error: error loading state: decryption failed for all provided methods: attempted decryption failed for state: no decryption key available',
      '',
    ];
    expect(describeTofuFailure(lines)).toBe(
      'The state could not be decrypted with SPAWNIT_STATE_PASSPHRASE: set the passphrase it was written with (as SPAWNIT_STATE_PASSPHRASE_PREVIOUS during a rotation).',
    );
  });

  it('keeps explaining the failures a user fixes outside SpawnIt, with what to do', () => {
    const lines = [
      '╷',
      '│ Error: Failed to query available provider packages',
      '│ ',
      '│ Could not retrieve the list of available versions for provider',
      '│ kreuzwerker/docker: provider registry.opentofu.org/kreuzwerker/docker was not',
      '│ found in any of the search locations',
      '╵',
    ];
    expect(describeTofuFailure(lines)).toMatch(
      /^The provider kreuzwerker\/docker is not in the provider mirror/,
    );
  });

  it('falls back to the last lines, cleaned, when tofu printed no diagnostic', () => {
    expect(describeTofuFailure(['Initializing the backend...', '│ something broke', '╵', ''])).toBe(
      'Initializing the backend... something broke.',
    );
    expect(describeTofuFailure([])).toBe('tofu printed nothing; see the log.');
  });
});
