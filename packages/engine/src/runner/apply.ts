import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidIdError, NotFoundError, StalePlanError, TofuError } from '../errors.js';
import { planKey } from '../store/keys.js';
import { createRedactor } from '../tofu/redact.js';
import { prepareWorkdir } from '../workdir/prepare-workdir.js';
import type { ResolvedTarget } from '../workdir/resolve-target.js';
import { createProgressTracker, type JobProgress, renderEventLine } from './apply-events.js';
import { type PlanRecord, planRecordKey } from './plan.js';
import type { PlanSummary } from './plan-summary.js';
import type { RunContext, RunHooks } from './run-context.js';
import { retireSavedPlans } from './saved-plans.js';

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

export async function readPlanRecord(
  ctx: RunContext,
  target: ResolvedTarget,
  planId: string,
): Promise<PlanRecord> {
  if (typeof planId !== 'string' || !UUID.test(planId)) {
    throw new InvalidIdError('planId', `planId ${JSON.stringify(planId)} is not a plan id (a UUID).`);
  }
  const record = await ctx.store.getJson<PlanRecord>(planRecordKey(target, planId));
  if (!record) {
    throw new NotFoundError(
      `Plan ${planId} of ${target.description} does not exist or was already applied; plan again.`,
    );
  }
  return record;
}

async function discardPlan(ctx: RunContext, target: ResolvedTarget, planId: string): Promise<void> {
  await ctx.store.deleteKeys([planKey(target.ref, planId), planRecordKey(target, planId)]);
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
): Promise<ApplyResult> {
  const record = await readPlanRecord(ctx, target, planId);
  if (record.stale) {
    await discardPlan(ctx, target, planId);
    throw new StalePlanError(
      `The state of ${target.description} changed since plan ${planId} was made; plan again.`,
    );
  }
  const { onProgress, ...stepOptions } = options;
  const runOptions = { ...stepOptions, redact: target.secretValues };
  // The saved plan comes down while the working directory is prepared (read-only: harmless if unused).
  const download = ctx.store.get(planKey(target.ref, planId));
  download.catch(() => undefined);
  const prepared = await prepareWorkdir(ctx, target, runOptions);
  if (prepared.configHash !== record.configHash) {
    await discardPlan(ctx, target, planId);
    throw new StalePlanError(
      `The configuration of ${target.description} changed since plan ${planId} was made; plan again and review the new plan.`,
    );
  }
  const planObject = await download;
  if (!planObject)
    throw new NotFoundError(`Plan ${planId} of ${target.description} is gone from S3; plan again.`);
  const planFile = path.join('plans', `${planId}.tfplan`);
  await mkdir(path.join(prepared.dir, 'plans'), { recursive: true, mode: 0o700 });
  await writeFile(path.join(prepared.dir, planFile), planObject.body, { mode: 0o600 });
  // Out of S3 while tofu applies it: whatever happens, the state may move on, so this plan must not be applied
  // again. If S3 is down the plan stays, but tofu refuses it as stale once the state has moved.
  const discarded = discardPlan(ctx, target, planId).catch(() => undefined);

  // -json: progress comes from tofu's events, not from its text; the log shows each event's message.
  const tracker = createProgressTracker();
  // Redacted again once decoded: a secret with quotes is escaped in the JSON and whole only in the message.
  const redact = createRedactor(target.secretValues);
  const render = (line: string) => renderEventLine(line).map(redact);
  const raw = await ctx.run(
    ['apply', '-json', '-input=false', `-lock-timeout=${ctx.lockTimeout}`, '-no-color', planFile],
    {
      cwd: prepared.dir,
      ...runOptions,
      onLine: (line) => {
        for (const text of render(line)) options.onLine?.(text);
        const progress = tracker.observe(line);
        if (progress) onProgress?.(progress);
      },
    },
  );
  const result = { ...raw, lines: raw.lines.flatMap(render) };
  await rm(path.join(prepared.dir, planFile), { force: true });
  await discarded;
  await retireSavedPlans(ctx, target, planId).catch(() => undefined);
  if (result.exitCode === 0 && !result.isCanceled) {
    return { planId, destroy: record.destroy, summary: record.summary };
  }
  if (result.lines.some((line) => /Saved plan is stale/i.test(line))) {
    throw new StalePlanError(
      `The state of ${target.description} changed since plan ${planId} was made; plan again.`,
    );
  }
  const verb = record.destroy ? 'destroy' : 'apply';
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
