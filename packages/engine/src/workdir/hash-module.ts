import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const LOCAL_SOURCE = /source\s*=\s*"(\.{1,2}\/[^"]*)"/g;

async function collectFiles(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name === '.terraform' || entry.name.startsWith('.terraform.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await collectFiles(full, out);
    else if (entry.isFile()) out.push(full);
  }
}

/**
 * A digest of a module's files and of the local modules it calls (`source = "../x"`), followed transitively,
 * so a change anywhere the module reads is seen.
 */
export async function hashModule(moduleDir: string): Promise<string> {
  const hash = createHash('sha256');
  const seen = new Set<string>();
  const queue = [path.resolve(moduleDir)];
  while (queue.length > 0) {
    const dir = queue.shift()!;
    if (seen.has(dir)) continue;
    seen.add(dir);
    const files: string[] = [];
    await collectFiles(dir, files);
    files.sort();
    // Read side by side, hashed in order.
    const contents = await Promise.all(files.map((file) => readFile(file)));
    for (const [i, file] of files.entries()) {
      const content = contents[i]!;
      hash.update(path.relative(moduleDir, file)).update('\0').update(content).update('\0');
      if (file.endsWith('.tf')) {
        for (const match of content.toString('utf8').matchAll(LOCAL_SOURCE)) {
          queue.push(path.resolve(path.dirname(file), match[1]!));
        }
      }
    }
  }
  return hash.digest('hex');
}
