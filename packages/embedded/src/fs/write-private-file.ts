import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Writes `content` to `path` readable by the owner only (0600), atomically: a crash leaves the old
 * file or the new one, never half of one. For secrets such as signing keys and password hashes.
 */
export async function writePrivateFile(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmpPath = join(dirname(path), `.${randomUUID()}.tmp`);
  try {
    await writeFile(tmpPath, content, { mode: 0o600, flush: true });
    await rename(tmpPath, path);
  } catch (error) {
    await rm(tmpPath, { force: true });
    throw error;
  }
}
