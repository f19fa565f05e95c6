import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  KEY_PROVIDER_SCRIPT,
  renderEncryptionConfig,
  resolveStateEncryption,
  stateKeyDir,
  writeStateKeyFiles,
} from './state-encryption.js';

const run = promisify(execFile);

/** Runs the key provider command as OpenTofu does: arguments, then the input on stdin. */
async function provide(keyFile: string, input: string) {
  const child = run('/bin/sh', ['-c', KEY_PROVIDER_SCRIPT, 'spawnit-state-key', keyFile]);
  child.child.stdin!.end(input);
  const { stdout } = await child;
  const [header, body] = stdout.split('\n');
  return { header: JSON.parse(header!), output: JSON.parse(body!) };
}

describe('renderEncryptionConfig', () => {
  it('enforces an external key provider + AES-GCM on state and plans, the previous key as fallback under its own alias', async () => {
    const resolved = await resolveStateEncryption({
      passphrase: 'a "quoted" ${not-a-template} %{ nor-this }',
      previousPassphrase: 'the-old-passphrase-0123',
    });
    expect(resolved.current.alias).toMatch(/^spawnit-[0-9a-f]{16}$/);
    expect(resolved.current.key).toHaveLength(32);
    expect(resolved.current.alias).toBe(
      (await resolveStateEncryption({ passphrase: 'a "quoted" ${not-a-template} %{ nor-this }' })).current
        .alias,
    );
    expect(resolved.previous?.alias).not.toBe(resolved.current.alias);
    const hcl = renderEncryptionConfig(resolved, '/data');
    expect(hcl).toContain(`encrypted_metadata_alias = "${resolved.previous?.alias}"`);
    expect(hcl).toContain(`"/data/state-keys/${resolved.current.alias}.key"]`);
    // Neither the passphrase nor the key is handed to tofu: only the key file's path.
    expect(hcl).not.toContain('quoted');
    expect(hcl).not.toContain(resolved.current.key.toString('base64'));
    for (const target of ['state', 'plan']) {
      expect(hcl).toContain(
        `${target} {\n  method   = method.aes_gcm.current\n  enforced = true\n  fallback {\n    method = method.aes_gcm.previous\n  }\n}`,
      );
    }
    expect(hcl).not.toContain('unencrypted');
  });

  it('allows an unencrypted fallback only for a migration, which OpenTofu accepts only when not enforced', async () => {
    const hcl = renderEncryptionConfig(
      await resolveStateEncryption({ passphrase: 'p'.repeat(16), migrateUnencrypted: true }),
      '/data',
    );
    expect(hcl).toContain('method "unencrypted" "migrate" {}');
    expect(hcl).toContain('enforced = false\n  fallback {\n    method = method.unencrypted.migrate\n  }');
  });

  it('refuses a passphrase shorter than 16 characters, naming the setting', async () => {
    await expect(resolveStateEncryption({ passphrase: 'short' })).rejects.toThrow(
      /SPAWNIT_STATE_PASSPHRASE must be at least 16 characters long/,
    );
    await expect(
      resolveStateEncryption({ passphrase: 'p'.repeat(16), previousPassphrase: 'p'.repeat(16) }),
    ).rejects.toThrow(/PREVIOUS equals SPAWNIT_STATE_PASSPHRASE/);
  });
});

describe('the external key provider command', () => {
  it('writes owner-only key files and speaks OpenTofu 1.10 protocol: a decryption key only with metadata', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'spawnit-state-keys-'));
    try {
      const resolved = await resolveStateEncryption({ passphrase: 'p'.repeat(16) });
      await writeStateKeyFiles(dataDir, resolved);
      expect((await stat(stateKeyDir(dataDir))).mode & 0o777).toBe(0o700);
      expect(await readdir(stateKeyDir(dataDir))).toEqual([`${resolved.current.alias}.key`]);
      const keyFile = path.join(stateKeyDir(dataDir), `${resolved.current.alias}.key`);
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      const key = resolved.current.key.toString('base64');

      const encrypting = await provide(keyFile, '{"external_data":null}');
      expect(encrypting.header).toEqual({ magic: 'OpenTofu-External-Key-Provider', version: 1 });
      expect(encrypting.output).toEqual({ keys: { encryption_key: key }, meta: { external_data: {} } });
      const decrypting = await provide(keyFile, '{"external_data":{}}');
      expect(decrypting.output.keys).toEqual({ encryption_key: key, decryption_key: key });

      await rm(keyFile);
      await expect(provide(keyFile, 'null')).rejects.toThrow(/state key file .* is missing/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
