import { createHash } from 'node:crypto';
import type { Engine } from '../engine.js';
import { stateKey, type TargetRef, targetPrefix, tfvarsKey } from '../store/keys.js';
import { hashModule } from '../workdir/hash-module.js';
import { networkModuleDir } from '../workdir/resolve-target.js';

/**
 * What a network's plan depends on: its configuration, its state object, its module's files and the
 * operator's settings. When none changed since a compliant plan, planning it again finds the same; undefined
 * when there is no state yet (nothing to skip).
 */
export async function fingerprintNetwork(
  engine: Engine,
  ref: Extract<TargetRef, { kind: 'network' }>,
): Promise<string | undefined> {
  const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
  const { tofu, platform, modulesDir } = engine.runContext;
  // One listing gives the ETags of both objects (every write changes one: a new state serial, a new sealed
  // configuration), read side by side with the module's files; the module is found without the configuration.
  // Shallow: the saved plans' folder, which grows with the network's history, is not listed.
  const [objects, moduleHash] = await Promise.all([
    engine.store.list(targetPrefix(ref), { shallow: true }),
    hashModule(networkModuleDir(engine.catalog, modulesDir, ref.provider)),
  ]);
  const listed = (key: string) => objects.find((o) => o.key === key);
  const state = listed(stateKey(ref));
  if (!state) return undefined;
  let versions = [listed(tfvarsKey(ref))?.etag, state.etag];
  if (versions.some((etag) => !etag)) {
    // A store that lists no ETags: the objects themselves, read.
    const [config, body] = await Promise.all([
      engine.store.get(tfvarsKey(ref)),
      engine.store.get(stateKey(ref)),
    ]);
    if (!body) return undefined;
    versions = [config ? sha(config.body) : undefined, sha(body.body)];
  }
  return sha(JSON.stringify([...versions, moduleHash, platform, tofu.path, tofu.version]));
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
