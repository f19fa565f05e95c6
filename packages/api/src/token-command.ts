import type { TokenCommandIo } from '@spawnit/embedded';
import { PNPM } from './commands.js';
import { loadConfig } from './config.js';
import { embeddedIssuer, readInitialPassword } from './embedded-defaults.js';

/**
 * The core of `pnpm token <username>`: prints an access token for the API on `io.stdout`; returns the exit
 * code.
 *
 * - Embedded provider (no `SPAWNIT_OIDC_ISSUER`, no `--issuer`): signs in at
 *   `http://127.0.0.1:<SPAWNIT_EMBEDDED_OIDC_PORT>` with `SPAWNIT_PASSWORD`, else the password generated at
 *   the first start (kept 0600 in the data dir), else asks for it.
 * - Any other issuer (Keycloak): `SPAWNIT_PASSWORD`, else asked for; never read from a file.
 */
export async function runApiTokenCommand(args: string[], io: TokenCommandIo): Promise<number> {
  const env = { ...io.env };
  const { runTokenCommand } = await import('@spawnit/embedded');
  const explicitIssuer = args.some((a) => a === '--issuer' || a.startsWith('--issuer='));
  if (!explicitIssuer && !env.SPAWNIT_OIDC_ISSUER) {
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig(env);
    } catch (error) {
      io.stderr.write(`${(error as Error).message}\n`);
      return 2;
    }
    if (config.oidc.mode !== 'embedded') return 2;
    env.SPAWNIT_OIDC_ISSUER = embeddedIssuer(config.oidc.port);
    const username = args.find((a) => !a.startsWith('-'));
    if (username && env.SPAWNIT_PASSWORD === undefined) {
      const saved = await readInitialPassword(config.dataDir, username);
      if (saved !== undefined) env.SPAWNIT_PASSWORD = saved;
    }
    try {
      await fetch(`${env.SPAWNIT_OIDC_ISSUER}/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(5_000),
      });
    } catch {
      io.stderr.write(
        `The embedded OIDC provider at ${env.SPAWNIT_OIDC_ISSUER} does not answer: start the API first (${PNPM} start).\n`,
      );
      return 1;
    }
  }
  return runTokenCommand(args, { ...io, env });
}
