import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import S3Object from 's3rver/lib/models/object.js';
import type { FilesystemStore, StoredObject } from './s3rver-internals.js';

/** How s3rver names an object's file: `<last part of the key>._S3rver_object`, in the key's folders. */
const OBJECT_FILE = '._S3rver_object';

export interface Listing {
  objects: StoredObject[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix of the page: where the next one starts. */
  lastEntry: string | undefined;
}

const missing = (error: unknown) =>
  ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

async function entriesOf(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (missing(error)) return [];
    throw error;
  }
}

/** Whether a folder holds an object, at any depth: read until the first one. */
async function holdsObject(dir: string): Promise<boolean> {
  const entries = await entriesOf(dir);
  if (entries.some((entry) => entry.isFile() && entry.name.endsWith(OBJECT_FILE))) return true;
  for (const entry of entries) {
    if (entry.isDirectory() && (await holdsObject(join(dir, entry.name)))) return true;
  }
  return false;
}

/**
 * The keys under `prefix`, and with the delimiter `/` the folders right below it that hold one (each a
 * common prefix, not read further). Only the folders the prefix reaches into are read, without a `stat` per
 * entry: s3rver walks from the bucket's root and `stat`s every entry of every folder on the way, synchronously,
 * so listing one service's saved plans read all the service folders of its client.
 */
async function findKeys(bucketDir: string, prefix: string, shallow: boolean) {
  const keys: string[] = [];
  const commonPrefixes: string[] = [];
  async function walk(folder: string): Promise<void> {
    const entries = await entriesOf(join(bucketDir, folder));
    await Promise.all(
      entries.map(async (entry) => {
        if (entry.isDirectory()) {
          const below = `${folder}${entry.name}/`;
          if (below.startsWith(prefix)) {
            if (!shallow) await walk(below);
            else if (await holdsObject(join(bucketDir, below))) commonPrefixes.push(below);
          } else if (prefix.startsWith(below)) {
            await walk(below);
          }
        } else if (entry.isFile() && entry.name.endsWith(OBJECT_FILE)) {
          const key = `${folder}${entry.name.slice(0, -OBJECT_FILE.length)}`;
          if (key.startsWith(prefix)) keys.push(key);
        }
      }),
    );
  }
  // The deepest folder the prefix names whole: `clients/alice/serv` starts in `clients/alice/`.
  await walk(prefix.slice(0, prefix.lastIndexOf('/') + 1));
  return { keys, commonPrefixes };
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Replaces s3rver's `FilesystemStore.listObjects`: S3's order and paging, where a common prefix counts as one
 * key and is reported however deep its objects sit (s3rver pruned those whose objects were two or more levels
 * down), read from the folders the prefix reaches only. Metadata is read for the page's objects only.
 */
export function createListObjects(
  store: FilesystemStore,
  bucketsDir: string,
): (bucket: string, options: Parameters<FilesystemStore['listObjects']>[1]) => Promise<Listing> {
  return async function listObjects(bucket, options) {
    const { prefix = '', delimiter, startAfter, maxKeys = Number.POSITIVE_INFINITY } = options;
    const found = await findKeys(join(bucketsDir, bucket), prefix, delimiter === '/');
    // Any other delimiter: every key under the prefix, grouped here.
    const entries = new Set(found.commonPrefixes);
    const objectKeys = new Set<string>();
    for (const key of found.keys) {
      const at = delimiter && delimiter !== '/' ? key.indexOf(delimiter, prefix.length) : -1;
      if (at === -1) objectKeys.add(key);
      entries.add(at === -1 ? key : key.slice(0, at + delimiter!.length));
    }
    const page: string[] = [];
    let isTruncated = false;
    for (const entry of [...entries].sort(byKey)) {
      if (startAfter !== undefined && entry <= startAfter) continue;
      if (page.length === maxKeys) {
        isTruncated = true;
        break;
      }
      page.push(entry);
    }
    const objects = await Promise.all(
      page
        .filter((entry) => objectKeys.has(entry))
        .map(async (key) => {
          try {
            return new S3Object(bucket, key, null, await store.getMetadata(bucket, key));
          } catch (error) {
            // Deleted since it was listed.
            if (missing(error)) return undefined;
            throw error;
          }
        }),
    );
    return {
      objects: objects.filter((object) => object !== undefined),
      commonPrefixes: page.filter((entry) => !objectKeys.has(entry)),
      isTruncated,
      lastEntry: page.at(-1),
    };
  };
}
