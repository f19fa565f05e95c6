/**
 * `pnpm token <username>`: prints an access token for the API on stdout, for scripts and GraphiQL.
 *
 * - Embedded provider (no `SPAWNIT_OIDC_ISSUER`): signs in to it at `http://127.0.0.1:<SPAWNIT_EMBEDDED_OIDC_PORT>`
 *   with the password from `SPAWNIT_PASSWORD`, else the one generated at the first start (kept 0600 in the
 *   data dir), else asks for it.
 * - Configured issuer (Keycloak): the password from `SPAWNIT_PASSWORD`, else asked for; never read from a file.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { type ConfigError, loadConfig } from './config.js';
import { embeddedIssuer, readInitialPassword } from './embedded-defaults.js';

/** Reads a line from the terminal without echoing it; from stdin as is when it is not a terminal. */
function readPassword(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  let muted = true;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY ?? false });
  return new Promise((resolve) => {
    rl.once('line', (line) => {
      muted = false;
      rl.close();
      process.stderr.write('\n');
      resolve(line);
    });
  });
}

async function main(args: string[]): Promise<number> {
  const envFile = path.join(process.cwd(), '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const env: Record<string, string | undefined> = { ...process.env };
  const { runTokenCommand } = await import('@spawnit/embedded');
  const explicitIssuer = args.includes('--issuer') || args.some((a) => a.startsWith('--issuer='));
  if (!explicitIssuer && !env.SPAWNIT_OIDC_ISSUER) {
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig(env);
    } catch (error) {
      process.stderr.write(`${(error as ConfigError).message}\n`);
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
      process.stderr.write(
        `The embedded OIDC provider at ${env.SPAWNIT_OIDC_ISSUER} does not answer: start the API first (npx pnpm@10.34.8 start).\n`,
      );
      return 1;
    }
  }
  return runTokenCommand(args, {
    env,
    stdout: process.stdout,
    stderr: process.stderr,
    readPassword,
  });
}

process.exitCode = await main(process.argv.slice(2));
