/** `pnpm token <username>`: prints an access token for the API on stdout (see token-command.ts). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { runApiTokenCommand } from './token-command.js';

/** Reads a line from the terminal without echoing it; from stdin as is when it is not a terminal. */
function readPassword(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: process.stdin.isTTY ?? false });
  return new Promise((resolve) => {
    rl.once('line', (line) => {
      rl.close();
      process.stderr.write('\n');
      resolve(line);
    });
  });
}

const envFile = path.join(process.cwd(), '.env');
// Variables already in the environment win over the file, as for `pnpm start`.
if (existsSync(envFile)) process.loadEnvFile(envFile);
process.exitCode = await runApiTokenCommand(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  readPassword,
});
