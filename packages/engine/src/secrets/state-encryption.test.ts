import { describe, expect, it } from 'vitest';
import { renderEncryptionConfig, resolveStateEncryption } from './state-encryption.js';

describe('renderEncryptionConfig', () => {
  it('enforces pbkdf2 + AES-GCM on state and plans, the previous passphrase as fallback under its own alias', async () => {
    const resolved = await resolveStateEncryption({
      passphrase: 'a "quoted" ${not-a-template} %{ nor-this }',
      previousPassphrase: 'the-old-passphrase-0123',
    });
    expect(resolved.alias).toMatch(/^spawnit-[0-9a-f]{16}$/);
    expect(resolved.alias).toBe((await resolveStateEncryption({ passphrase: resolved.passphrase })).alias);
    expect(resolved.previousAlias).not.toBe(resolved.alias);
    const hcl = renderEncryptionConfig(resolved);
    expect(hcl).toContain(`passphrase               = "a \\"quoted\\" $\${not-a-template} %%{ nor-this }"`);
    expect(hcl).toContain(`encrypted_metadata_alias = "${resolved.previousAlias}"`);
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
    );
    expect(hcl).toContain('method "unencrypted" "migrate" {}');
    expect(hcl).toContain('enforced = false\n  fallback {\n    method = method.unencrypted.migrate\n  }');
  });

  it('refuses a passphrase shorter than OpenTofu accepts, naming the setting', async () => {
    await expect(resolveStateEncryption({ passphrase: 'short' })).rejects.toThrow(
      /SPAWNIT_STATE_PASSPHRASE must be at least 16 characters long/,
    );
    await expect(
      resolveStateEncryption({ passphrase: 'p'.repeat(16), previousPassphrase: 'p'.repeat(16) }),
    ).rejects.toThrow(/PREVIOUS equals SPAWNIT_STATE_PASSPHRASE/);
  });
});
