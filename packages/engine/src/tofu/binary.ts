import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { TofuNotFoundError } from '../errors.js';

export interface TofuBinary {
  /** Absolute path of the binary. */
  path: string;
  /** `tofu` or `terraform`: they share the CLI the engine uses. */
  name: 'tofu' | 'terraform';
  /** e.g. `1.11.4`. */
  version: string;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function which(command: string, pathEnv: string): Promise<string | undefined> {
  for (const dir of pathEnv.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, command);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export interface FindTofuOptions {
  /** An explicit binary; else `SPAWNIT_TOFU_BIN`, else `tofu` on PATH, else `terraform` on PATH. */
  bin?: string;
  env?: NodeJS.ProcessEnv;
}

/** Finds the binary the engine runs and asks it for its version. */
export async function findTofu(options: FindTofuOptions = {}): Promise<TofuBinary> {
  const env = options.env ?? process.env;
  const explicit = options.bin ?? env.SPAWNIT_TOFU_BIN;
  let file: string | undefined;
  if (explicit) {
    file = explicit.includes('/') ? path.resolve(explicit) : await which(explicit, env.PATH ?? '');
    if (!file || !(await isExecutable(file))) {
      throw new TofuNotFoundError(`SPAWNIT_TOFU_BIN is "${explicit}", which is not an executable file.`);
    }
  } else {
    file = (await which('tofu', env.PATH ?? '')) ?? (await which('terraform', env.PATH ?? ''));
    if (!file) {
      throw new TofuNotFoundError(
        'Neither "tofu" nor "terraform" is on PATH. Install OpenTofu >= 1.9 or Terraform >= 1.10, or set SPAWNIT_TOFU_BIN to its path.',
      );
    }
  }
  // node's own execFile, not execa: this runs at every start, and execa's first call costs more than the run.
  const result = await new Promise<{ failure: Error | null; stdout: string; stderr: string }>((resolve) =>
    execFile(
      file,
      ['version', '-json'],
      { env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' }, timeout: 30_000 },
      (failure, stdout, stderr) => resolve({ failure, stdout, stderr }),
    ),
  );
  let version: string | undefined;
  try {
    version = (JSON.parse(result.stdout) as { terraform_version?: string }).terraform_version;
  } catch {
    version = undefined;
  }
  if (result.failure || !version) {
    throw new TofuNotFoundError(
      `"${file} version -json" failed: ${result.stderr || result.stdout || result.failure?.message}`,
    );
  }
  const name = path.basename(file).startsWith('terraform') ? 'terraform' : 'tofu';
  return { path: file, name, version };
}
