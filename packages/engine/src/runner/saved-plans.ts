import { planKey, type TargetRef, targetPrefix } from '../store/keys.js';
import type { ResolvedTarget } from '../workdir/resolve-target.js';
import { type PlanRecord, planRecordKey } from './plan.js';
import type { RunContext } from './run-context.js';

/** A saved plan nobody applied is removed after this long (it holds the configuration, secrets included). */
export const SAVED_PLAN_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** How often a target's saved plans are listed for expired ones, at most: an hour late is soon enough. */
export const EXPIRE_EVERY_MS = 60 * 60 * 1000;

const plansPrefix = (ref: TargetRef) => `${targetPrefix(ref)}plans/`;
const PLAN_FILE = '.tfplan';

/**
 * After an apply the state has moved on, so every other saved plan of the target is stale: their plan files
 * go at once, their records stay marked `stale` so applying one still says "plan again". The plans are found
 * in the index (kept on every save, filled from the bucket's listing at start), not by listing S3: a listing
 * beside tofu's start costs the apply a few ms of a shared core.
 */
export async function retireSavedPlans(ctx: RunContext, target: ResolvedTarget, applied: string) {
  const others = (await ctx.index.savedPlans(target.ref))
    .map((plan) => plan.planId)
    .filter((planId) => planId !== applied);
  if (others.length === 0) return;
  await ctx.store.deleteKeys(others.map((planId) => planKey(target.ref, planId)));
  await ctx.index.removeSavedPlans(target.ref, others);
  await Promise.all(
    others.map(async (planId) => {
      const recordKey = planRecordKey(target, planId);
      const record = await ctx.store.getJson<PlanRecord>(recordKey);
      if (record && !record.stale) await ctx.store.putJson(recordKey, { ...record, stale: true });
    }),
  );
}

/** Removes a saved plan, file and record (applied, or found stale): it can never be applied again. */
export async function discardSavedPlan(ctx: RunContext, ref: TargetRef, planId: string): Promise<void> {
  await ctx.store.deleteKeys([planKey(ref, planId), planRecordKey({ ref }, planId)]);
  await ctx.index.removeSavedPlans(ref, [planId]);
}

const lastExpired = new WeakMap<RunContext, Map<string, number>>();

/**
 * Removes the target's saved plans (files and records, stale ones included) older than `maxAgeMs`, read
 * from a listing of S3 at most once per `EXPIRE_EVERY_MS` per target and process.
 */
export async function expireSavedPlans(
  ctx: RunContext,
  target: ResolvedTarget,
  { maxAgeMs = SAVED_PLAN_MAX_AGE_MS, everyMs = EXPIRE_EVERY_MS } = {},
): Promise<void> {
  const seen = lastExpired.get(ctx) ?? new Map<string, number>();
  lastExpired.set(ctx, seen);
  const key = targetPrefix(target.ref);
  if (Date.now() - (seen.get(key) ?? Number.NEGATIVE_INFINITY) < everyMs) return;
  seen.set(key, Date.now());
  const before = Date.now() - maxAgeMs;
  const objects = await ctx.store.list(plansPrefix(target.ref));
  const old = objects.filter((o) => (o.lastModified?.getTime() ?? Date.now()) < before).map((o) => o.key);
  if (old.length === 0) return;
  await ctx.store.deleteKeys(old);
  const planIds = old
    .filter((key) => key.endsWith(PLAN_FILE))
    .map((key) => key.slice(key.lastIndexOf('/') + 1, -PLAN_FILE.length));
  await ctx.index.removeSavedPlans(target.ref, planIds);
}
