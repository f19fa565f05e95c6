/** Finds the command-line tools the checks need; a missing one fails the test with how to install it. */
import { spawnSync } from 'node:child_process';

function onPath(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** `SPAWNIT_TOFU_BIN`, else `tofu`, else `terraform`; throws when none runs. */
export function findTofu(): string {
  const candidates = [process.env.SPAWNIT_TOFU_BIN, 'tofu', 'terraform'].filter((c): c is string => !!c);
  const found = candidates.find(onPath);
  if (!found) {
    throw new Error(
      `No OpenTofu or Terraform binary found (tried ${candidates.join(', ')}): install OpenTofu >= 1.9 or Terraform >= 1.10, or set SPAWNIT_TOFU_BIN.`,
    );
  }
  return found;
}

/** shellcheck on PATH; throws with the install command when it is missing. */
export function findShellcheck(): string {
  if (!onPath('shellcheck')) {
    throw new Error(
      'shellcheck is not installed: apt-get install -y shellcheck (Debian/Ubuntu) or brew install shellcheck.',
    );
  }
  return 'shellcheck';
}
