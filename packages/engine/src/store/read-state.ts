import type { StateDecrypter } from '../secrets/state-encryption.js';
import { stateKey, type TargetRef } from './keys.js';
import type { S3Store } from './s3-store.js';

/** The parts of a tofu state the engine reads. */
export interface StateJson {
  serial?: number;
  lineage?: string;
  resources?: { mode: string; type?: string; name?: string; instances?: unknown[] }[];
  outputs?: Record<string, { value: unknown; type?: unknown; sensitive?: boolean }>;
}

export interface StateReaderDeps {
  store: S3Store;
  decryptState: StateDecrypter;
}

/**
 * A target's state as tofu wrote it to S3, decrypted when OpenTofu encrypted it. The only reader of state
 * objects: nothing else parses `terraform.tfstate` from the bucket.
 */
export async function readState(deps: StateReaderDeps, ref: TargetRef): Promise<StateJson | undefined> {
  const key = stateKey(ref);
  const object = await deps.store.get(key);
  if (!object) return undefined;
  const body = await deps.decryptState(object.body, `The state ${key}`);
  return JSON.parse(body.toString('utf8')) as StateJson;
}
