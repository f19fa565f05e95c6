import { describe, expect, it } from 'vitest';
import { isConfigOrSavedPlan } from './keys.js';
import { ObjectCache } from './object-cache.js';
import type { StoredObject } from './s3-store.js';

const object = (text: string, metadata: Record<string, string> = {}): StoredObject => ({
  body: Buffer.from(text),
  metadata,
  lastModified: new Date(0),
  etag: `"${text}"`,
});
const CONFIG = 'clients/alice/services/web/terraform.tfvars.json';
const PLAN = 'clients/alice/services/web/plans/0b6f5f4e-8a57-4a5e-9a49-4c1f3e1c2d3a.tfplan';
const body = (found: StoredObject | undefined) => found?.body.toString();

describe('ObjectCache', () => {
  it('keeps a read, then answers from what the last write or delete left', () => {
    const cache = new ObjectCache(() => true);
    expect(cache.get(CONFIG)).toBeUndefined();
    cache.reading(CONFIG)(object('v1'));
    expect(body(cache.get(CONFIG))).toBe('v1');

    const written = cache.writing(CONFIG);
    // Gone while the write runs: a reader goes to S3 and waits for it there.
    expect(cache.get(CONFIG)).toBeUndefined();
    written(object('v2'));
    expect(body(cache.get(CONFIG))).toBe('v2');

    cache.writing(CONFIG)(undefined);
    expect(cache.get(CONFIG)).toBeUndefined();
  });

  it('keeps nothing from a read that a write overlapped: the read may have found the old object', () => {
    const cache = new ObjectCache(() => true);
    const read = cache.reading(CONFIG);
    const written = cache.writing(CONFIG);
    read(object('old'));
    expect(cache.get(CONFIG)).toBeUndefined();
    written(object('new'));
    expect(body(cache.get(CONFIG))).toBe('new');

    // A read that started during a write, ended after it: not kept either.
    const during = cache.writing(CONFIG);
    const late = cache.reading(CONFIG);
    during(object('newer'));
    late(object('newest?'));
    expect(body(cache.get(CONFIG))).toBe('newer');
  });

  it('keeps nothing after two writes of a key overlapped, since S3 may have kept either', () => {
    const cache = new ObjectCache(() => true);
    const first = cache.writing(CONFIG);
    const second = cache.writing(CONFIG);
    second(object('second'));
    first(object('first'));
    expect(cache.get(CONFIG)).toBeUndefined();
    // The next write alone is kept again.
    cache.writing(CONFIG)(object('third'));
    expect(body(cache.get(CONFIG))).toBe('third');
  });

  it('keeps only the keys it is given, and a failed write drops the old object', () => {
    const cache = new ObjectCache(isConfigOrSavedPlan);
    cache.reading('clients/alice/services/web/terraform.tfstate')(object('state'));
    cache.reading('clients/alice/jobs/0b6f5f4e-8a57-4a5e-9a49-4c1f3e1c2d3a.json')(object('job'));
    cache.reading(CONFIG)(object('config'));
    cache.reading(PLAN)(object('plan'));
    expect(cache.get('clients/alice/services/web/terraform.tfstate')).toBeUndefined();
    expect(cache.get('clients/alice/jobs/0b6f5f4e-8a57-4a5e-9a49-4c1f3e1c2d3a.json')).toBeUndefined();
    expect(body(cache.get(CONFIG))).toBe('config');
    expect(body(cache.get(PLAN))).toBe('plan');

    cache.writing(PLAN)(undefined);
    expect(cache.get(PLAN)).toBeUndefined();
  });

  it('holds at most maxBytes, the least recently used going first, and never an object over a quarter', () => {
    const cache = new ObjectCache(() => true, 40);
    cache.reading('a')(object('0123456789'));
    cache.reading('b')(object('0123456789'));
    cache.reading('c')(object('0123456789'));
    // Read last: now the most recent.
    expect(cache.get('a')).toBeDefined();
    cache.reading('d')(object('0123456789'));
    cache.reading('e')(object('0123456789'));
    expect(['a', 'b', 'c', 'd', 'e'].filter((key) => cache.get(key))).toEqual(['a', 'c', 'd', 'e']);
    cache.reading('big')(object('01234567890'));
    expect(cache.get('big')).toBeUndefined();
  });

  it('forgets a prefix whole, and hands out copies its callers cannot change', () => {
    const cache = new ObjectCache(() => true);
    cache.reading(CONFIG)(object('config', { 'created-at': 'then' }));
    cache.reading(PLAN)(object('plan'));
    cache.reading('clients/bob/services/web/terraform.tfvars.json')(object('bob'));
    const copy = cache.get(CONFIG)!;
    copy.metadata['created-at'] = 'changed';
    expect(cache.get(CONFIG)?.metadata).toEqual({ 'created-at': 'then' });

    cache.dropPrefix('clients/alice/services/web/');
    expect(cache.get(CONFIG)).toBeUndefined();
    expect(cache.get(PLAN)).toBeUndefined();
    expect(body(cache.get('clients/bob/services/web/terraform.tfvars.json'))).toBe('bob');
  });
});
