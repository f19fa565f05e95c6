import { S3Error } from './s3rver-internals.js';

/** The bucket and key a path-style request addresses; `key` is absent for bucket-level requests. */
export interface ObjectRoute {
  bucket: string;
  key?: string;
}

/**
 * Parses a raw path-style request path (`/bucket/some/key`) the way s3rver's router does.
 * Returns undefined for the service root (`/`).
 */
export function parseObjectRoute(rawPath: string): ObjectRoute | undefined {
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  if (path === '') return undefined;
  const slash = path.indexOf('/');
  if (slash === -1) return { bucket: decodePathPart(path) };
  const bucket = decodePathPart(path.slice(0, slash));
  const key = path.slice(slash + 1);
  return key === '' ? { bucket } : { bucket, key: decodePathPart(key) };
}

function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new S3Error('InvalidURI', "Couldn't parse the specified URI.");
  }
}
