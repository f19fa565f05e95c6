import { createHash } from 'node:crypto';
import type { Engine } from '../engine.js';
import { stateKey, type TargetRef } from '../store/keys.js';
import { hashModule } from '../workdir/hash-module.js';

/**
 * What a network's plan depends on: its configuration, its state object, its module's files and the
 * operator's settings. When none changed since a compliant plan, planning it again finds the same; undefined
 * when there is no state yet (nothing to skip).
 */
export async function fingerprintNetwork(
  engine: Engine,
  ref: Extract<TargetRef, { kind: 'network' }>,
): Promise<string | undefined> {
  // Side by side: the configuration, the state and the module's files are independent reads.
  const [target, state] = await Promise.all([engine.resolve(ref), engine.store.get(stateKey(ref))]);
  if (!state) return undefined;
  const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
  const { tofu, platform } = engine.runContext;
  const moduleHash = await hashModule(target.moduleDir);
  return sha(
    JSON.stringify([
      sha(target.tfvarsBody),
      // Every write of the state changes its serial, so its digest; the ETag when the store gives one.
      state.etag ?? sha(state.body),
      moduleHash,
      platform,
      tofu.path,
      tofu.version,
    ]),
  );
}

/** The fingerprints of networks whose last check was compliant, so unchanged ones are not planned again. */
export class CompliantNetworks {
  readonly #seen = new Map<string, { fingerprint: string; at: string }>();
  /** When the network was last found compliant with this very fingerprint, else undefined. */
  compliantAt(key: string, fingerprint: string | undefined): string | undefined {
    const seen = this.#seen.get(key);
    return fingerprint !== undefined && seen?.fingerprint === fingerprint ? seen.at : undefined;
  }
  remember(key: string, fingerprint: string | undefined): void {
    if (fingerprint === undefined) this.#seen.delete(key);
    else this.#seen.set(key, { fingerprint, at: new Date().toISOString() });
  }
}
