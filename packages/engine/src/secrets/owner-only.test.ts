import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ownerOnly = fileURLToPath(new URL('./owner-only.ts', import.meta.url));

/** What `umaskKeepsOwnerOnly` says in a fresh process started under `umask`. */
function verdictUnder(umask: string): string {
  const script = `import { umaskKeepsOwnerOnly } from ${JSON.stringify(ownerOnly)}; console.log(umaskKeepsOwnerOnly());`;
  return execFileSync(
    'sh',
    ['-c', `umask ${umask} && exec node --import tsx --input-type=module -e '${script}'`],
    {
      encoding: 'utf8',
    },
  ).trim();
}

describe('umaskKeepsOwnerOnly', () => {
  it('says so only when group and others get nothing', () => {
    expect(verdictUnder('077')).toBe('true');
    expect(verdictUnder('027')).toBe('false');
    expect(verdictUnder('022')).toBe('false');
  });
});
