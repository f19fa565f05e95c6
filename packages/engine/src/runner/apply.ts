import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidIdError, NotFoundError, StalePlanError, TofuError } from '../errors.js';
import { describeTarget, planKey, type TargetRef } from '../store/keys.js';
import type { StoredObject } from '../store/s3-store.js';
import { createRedactor } from '../tofu/redact.js';
import { prepareWorkdir } from '../workdir/prepare-workdir.js';
import type { ResolvedTarget } from '../workdir/resolve-target.js';
import { createProgressTracker, type JobProgress, renderEventLine } from './apply-events.js';
import { type PlanRecord, planRecordKey } from './plan.js';
import type { PlanSummary } from './plan-summary.js';
import type { RunContext, RunHooks } from './run-context.js';
import { discardSavedPlan, retireSavedPlans } from './saved-plans.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ApplyOptions extends RunHooks {
  /** Each line as a person reads it (the `@message` of tofu's JSON events). */
  onLine?: (line: string) => void;
  /** Called when a resource's change ends: resources done of those the plan changes. */
  onProgress?: (progress: JobProgress) => void;
}

export interface ApplyResult {
  planId: string;
  destroy: boolean;
  summary: PlanSummary;
}

function checkPlanId(planId: string): void {
  if (typeof planId !== 'string' || !UUID.test(planId)) {
    throw new InvalidIdError('planId', `planId ${JSON.stringify(planId)} is not a plan id (a UUID).`);
  }
}

export async function readPlanRecord(
  ctx: RunContext,
  target: Pick<ResolvedTarget, 'ref' | 'description'>,
  planId: string,
): Promise<PlanRecord> {
  checkPlanId(planId);
  const record = await ctx.store.getJson<PlanRecord>(planRecordKey(target, planId));
  if (!record) {
    throw new NotFoundError(
      `Plan ${planId} of ${target.description} does not exist or was already applied; plan again.`,
    );
  }
  return record;
}

/** A saved plan's record and file, on their way from S3. */
export interface FetchedPlan {
  record: Promise<PlanRecord>;
  file: Promise<StoredObject | undefined>;
}

/**
 * Starts reading a saved plan's record and file, side by side, before the target is resolved: three reads
 * in one round trip. Nothing read is used before the record is checked.
 */
export function fetchSavedPlan(ctx: RunContext, ref: TargetRef, planId: string): FetchedPlan {
  checkPlanId(planId);
  const record = readPlanRecord(ctx, { ref, description: describeTarget(ref) }, planId);
  const file = ctx.store.get(planKey(ref, planId));
  // Awaited by apply; a failure before (the target is gone) must not go unhandled.
  record.catch(() => undefined);
  file.catch(() => undefined);
  return { record, file };
}

/**
 * Applies exactly the saved plan the user saw. Refuses with "plan again" when the configuration (tfvars or
 * module) changed since, or when tofu finds the state changed since. A plan is applied at most once.
 */
export async function apply(
  ctx: RunContext,
  target: ResolvedTarget,
  planId: string,
  options: ApplyOptions = {},
  fetched: FetchedPlan = fetchSavedPlan(ctx, target.ref, planId),
): Promise<ApplyResult> {
  const record = await fetched.record;
  if (record.stale) {
    await discardSavedPlan(ctx, target.ref, planId);
    throw new StalePlanError(
      `The state of ${target.description} changed since plan ${planId} was made; plan again.`,
    );
  }
  const { onProgress: _onProgress, ...stepOptions } = options;
  const prepared = await prepareWorkdir(ctx, target, { ...stepOptions, redact: target.secretValues });
  if (prepared.configHash !== record.configHash) {
    await discardSavedPlan(ctx, target.ref, planId);
    throw new StalePlanError(
      `The configuration of ${target.description} changed since plan ${planId} was made; plan again and review the new plan.`,
    );
  }
  const planObject = await fetched.file;
  if (!planObject)
    throw new NotFoundError(`Plan ${planId} of ${target.description} is gone from S3; plan again.`);
  const planFile = path.join('plans', `${planId}.tfplan`);
  await writeFile(path.join(prepared.dir, planFile), planObject.body, { mode: 0o600 });
  // Out of S3 while tofu applies it: whatever happens, the state may move on, so this plan must not be applied
  // again. If S3 is down the plan stays, but tofu refuses it as stale once the state has moved.
  const discarded = discardSavedPlan(ctx, target.ref, planId).catch(() => undefined);
  try {
    await applyPlanFile(ctx, target, prepared.dir, planFile, { planId, destroy: record.destroy }, options);
  } finally {
    await Promise.all([rm(path.join(prepared.dir, planFile), { force: true }), discarded]);
  }
  return { planId, destroy: record.destroy, summary: record.summary };
}

/**
 * Applies a plan file in a prepared working directory (the caller removes it). Every other saved plan of
 * the target is retired meanwhile (the state moves on). Throws on a failed, cancelled or stale apply.
 */
export async function applyPlanFile(
  ctx: RunContext,
  target: ResolvedTarget,
  dir: string,
  planFile: string,
  plan: { planId: string; destroy: boolean },
  options: ApplyOptions = {},
): Promise<void> {
  const { planId } = plan;
  const { onProgress, ...stepOptions } = options;
  const runOptions = { ...stepOptions, redact: target.secretValues };
  // Stale from the moment tofu starts: retired while it runs, not after.
  const retired = retireSavedPlans(ctx, target, planId).catch(() => undefined);
  // -json: progress comes from tofu's events, not from its text; the log shows each event's message.
  const tracker = createProgressTracker();
  // Redacted again once decoded: a secret with quotes is escaped in the JSON and whole only in the message.
  const redact = createRedactor(target.secretValues);
  const render = (line: string) => renderEventLine(line).map(redact);
  const raw = await ctx.run(
    ['apply', '-json', '-input=false', `-lock-timeout=${ctx.lockTimeout}`, '-no-color', planFile],
    {
      cwd: dir,
      ...runOptions,
      onLine: (line) => {
        for (const text of render(line)) options.onLine?.(text);
        const progress = tracker.observe(line);
        if (progress) onProgress?.(progress);
      },
    },
  );
  const result = { ...raw, lines: raw.lines.flatMap(render) };
  await retired;
  if (result.exitCode === 0 && !result.isCanceled) return;
  if (result.lines.some((line) => /Saved plan is stale/i.test(line))) {
    throw new StalePlanError(
      `The state of ${target.description} changed since plan ${planId} was made; plan again.`,
    );
  }
  const verb = plan.destroy ? 'destroy' : 'apply';
  throw new TofuError(
    result.isCanceled
      ? `The ${verb} of ${target.description} was cancelled.`
      : // The JSON events carry tofu's diagnostics whole: summary and detail, no text to untangle.
        `The ${verb} of ${target.description} failed: ${ctx.lastLines(raw.lines, redact)}`,
    {
      command: result.command,
      exitCode: result.exitCode,
      output: result.lines.join('\n'),
      isCanceled: result.isCanceled,
    },
  );
}
