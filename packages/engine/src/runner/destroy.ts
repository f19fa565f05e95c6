import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedTarget } from '../workdir/resolve-target.js';
import { type ApplyOptions, type ApplyResult, applyPlanFile } from './apply.js';
import { type PlanResult, planToFile, summaryOf } from './plan.js';
import { withoutAttributes } from './plan-summary.js';
import type { RunContext } from './run-context.js';

export interface DestroyResult {
  plan: PlanResult;
  /** Absent when there was nothing to destroy. */
  applied: ApplyResult | undefined;
}

/**
 * A destroy plan, then its apply, in the same working directory: the plan file is applied where tofu wrote
 * it (no trip through S3: nobody else may apply it), and `show -json` reads it for the summary while the
 * apply runs (both only read the file).
 */
export async function destroy(
  ctx: RunContext,
  target: ResolvedTarget,
  options: ApplyOptions = {},
): Promise<DestroyResult> {
  const { onProgress: _onProgress, ...planOptions } = options;
  const planned = await planToFile(ctx, target, { ...planOptions, destroy: true });
  if (!planned.ok) return { plan: planned.result, applied: undefined };
  const { planId, status, dir, planFile, base } = planned;
  const planResult = (summary: PlanResult['summary']): PlanResult => ({
    planId,
    status,
    destroy: true,
    summary,
    error: undefined,
    cancelled: false,
    saved: false,
    ...base,
  });
  if (status === 'compliant') {
    await rm(path.join(dir, planFile), { force: true });
    return { plan: planResult(await summaryOf(ctx, target, status, dir, planFile)), applied: undefined };
  }
  // A failed read of the summary is reported once the apply has ended (the state has moved on by then).
  const [read, applied] = await Promise.allSettled([
    summaryOf(ctx, target, status, dir, planFile),
    applyPlanFile(ctx, target, dir, planFile, { planId, destroy: true }, options),
  ]);
  await rm(path.join(dir, planFile), { force: true });
  if (applied.status === 'rejected') throw applied.reason;
  if (read.status === 'rejected') throw read.reason;
  return {
    plan: planResult(read.value),
    // As an applied saved plan says it: the values stay with the plan's own summary.
    applied: { planId, destroy: true, summary: withoutAttributes(read.value) },
  };
}
