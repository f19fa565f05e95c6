import { readFileSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';

/** Creates a folder (and its parents under nothing else) readable by its owner only. */
export async function mkdirPrivate(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/**
 * Takes group and other permissions away from everything under `dir` (folders 0700, files keep only their
 * owner bits, so provider binaries stay executable). tofu writes with the process umask; the working
 * directories hold tfvars, plans and `errored.tfstate`, so they are tightened after each run. Symlinks
 * are left alone: they point into the plugin cache or the modules, tightened on their own or not ours.
 */
export async function makeOwnerOnly(dir: string): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    const stat = await lstat(dir);
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o777) !== 0o700) await chmod(dir, 0o700);
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  await Promise.all(
    entries.map(async (entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return makeOwnerOnly(file);
      if (!entry.isFile()) return;
      try {
        const { mode } = await lstat(file);
        if ((mode & 0o077) !== 0) await chmod(file, mode & 0o700);
      } catch {
        // Removed meanwhile.
      }
    }),
  );
}

/**
 * Whether this process's umask already keeps group and others out of what it and its children write (the
 * product sets 077 at start), so nothing written since needs tightening. Read from /proc, not with
 * `process.umask()`, which sets the mask to read it; `false` when it cannot be read.
 */
export function umaskKeepsOwnerOnly(): boolean {
  try {
    const match = /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match !== null && (Number.parseInt(match[1]!, 8) & 0o077) === 0o077;
  } catch {
    return false;
  }
}
