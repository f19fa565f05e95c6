import { targetPrefix } from '../store/keys.js';
import type { ResolvedTarget } from '../workdir/resolve-target.js';
import type { PlanRecord } from './plan.js';
import type { RunContext } from './run-context.js';

/** A saved plan nobody applied is removed after this long (it holds the configuration, secrets included). */
export const SAVED_PLAN_MAX_AGE_MS = 24 * 60 * 60 * 1000;

const plansPrefix = (target: ResolvedTarget) => `${targetPrefix(target.ref)}plans/`;

/**
 * After an apply the state has moved on, so every other saved plan of the target is stale: their plan files
 * go at once, their records stay marked `stale` so applying one still says "plan again".
 */
export async function retireSavedPlans(
  ctx: RunContext,
  target: ResolvedTarget,
  applied: string,
): Promise<void> {
  const objects = await ctx.store.list(plansPrefix(target));
  const planFiles = objects.filter((o) => o.key.endsWith('.tfplan') && !o.key.endsWith(`/${applied}.tfplan`));
  if (planFiles.length === 0) return;
  await ctx.store.deleteKeys(planFiles.map((o) => o.key));
  await Promise.all(
    planFiles.map(async ({ key }) => {
      const recordKey = key.replace(/\.tfplan$/, '.json');
      const record = await ctx.store.getJson<PlanRecord>(recordKey);
      if (record && !record.stale) await ctx.store.putJson(recordKey, { ...record, stale: true });
    }),
  );
}

/** Removes the target's saved plans (and records) older than `maxAgeMs`. */
export async function expireSavedPlans(
  ctx: RunContext,
  target: ResolvedTarget,
  maxAgeMs = SAVED_PLAN_MAX_AGE_MS,
): Promise<void> {
  const before = Date.now() - maxAgeMs;
  const objects = await ctx.store.list(plansPrefix(target));
  const old = objects.filter((o) => (o.lastModified?.getTime() ?? Date.now()) < before).map((o) => o.key);
  if (old.length > 0) await ctx.store.deleteKeys(old);
}
