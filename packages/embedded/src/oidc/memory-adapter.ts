import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

/**
 * oidc-provider storage for sessions, interactions, codes and grants, in memory and private to one
 * provider instance (oidc-provider's own development adapter is shared by every instance in the
 * process and warns on each start). A restart signs users out; issued JWT access tokens are
 * self-contained and keep verifying.
 */
export function createMemoryAdapterFactory(): (model: string) => Adapter {
  const entries = new Map<string, Entry>();
  const byUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();
  const byGrant = new Map<string, Set<string>>();

  function read(key: string | undefined): AdapterPayload | undefined {
    if (key === undefined) return undefined;
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      remove(key);
      return undefined;
    }
    return entry.payload;
  }

  function remove(key: string): void {
    const payload = entries.get(key)?.payload;
    entries.delete(key);
    if (payload?.uid) byUid.delete(payload.uid);
    if (payload?.userCode) byUserCode.delete(payload.userCode);
    if (payload?.grantId) byGrant.get(payload.grantId)?.delete(key);
  }

  return (model) => {
    const keyOf = (id: string) => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        const key = keyOf(id);
        entries.set(key, {
          payload,
          expiresAt: expiresIn === undefined ? Number.POSITIVE_INFINITY : Date.now() + expiresIn * 1000,
        });
        if (payload.uid) byUid.set(payload.uid, key);
        if (payload.userCode) byUserCode.set(payload.userCode, key);
        if (payload.grantId) {
          const members = byGrant.get(payload.grantId) ?? new Set();
          members.add(key);
          byGrant.set(payload.grantId, members);
        }
      },
      async find(id) {
        return read(keyOf(id));
      },
      async findByUid(uid) {
        return read(byUid.get(uid));
      },
      async findByUserCode(userCode) {
        return read(byUserCode.get(userCode));
      },
      async consume(id) {
        const payload = read(keyOf(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        remove(keyOf(id));
      },
      async revokeByGrantId(grantId) {
        for (const key of byGrant.get(grantId) ?? []) remove(key);
        byGrant.delete(grantId);
      },
    };
  };
}
