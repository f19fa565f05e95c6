import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { SpawnitError, TofuError } from '../errors.js';
import { planKey } from '../store/keys.js';
import { prepareWorkdir } from '../workdir/prepare-workdir.js';
import type { ResolvedTarget } from '../workdir/resolve-target.js';
import { type PlanSummary, summarizePlan, withoutAttributes } from './plan-summary.js';
import type { RunContext, RunHooks } from './run-context.js';
import { discardSavedPlan, expireSavedPlans } from './saved-plans.js';

/** `compliant`: nothing to change (exit 0); `drifted`: changes planned (exit 2); `error`: the plan failed. */
export type PlanStatus = 'compliant' | 'drifted' | 'error';

export interface PlanOptions extends RunHooks {
  /** Plan the destruction of everything instead. @default false */
  destroy?: boolean;
  /** Save the plan to S3 so it can be applied later. @default true */
  save?: boolean;
}

export interface PlanResult {
  planId: string;
  status: PlanStatus;
  destroy: boolean;
  /** Absent when the plan failed. */
  summary: PlanSummary | undefined;
  /** Why the plan failed, for the user. */
  error: string | undefined;
  exitCode: number | undefined;
  configHash: string | undefined;
  /** Whether `init` ran before this plan. */
  initialized: boolean;
  /** The plan was interrupted. */
  cancelled: boolean;
  /** Saved to S3 and can be applied with `apply(planId)`. */
  saved: boolean;
}

/** What is stored beside a saved plan, so that apply can check it is still the configuration the user saw. */
export interface PlanRecord {
  planId: string;
  status: PlanStatus;
  destroy: boolean;
  configHash: string;
  summary: PlanSummary;
  createdAt: string;
  /** Another plan was applied since: the plan file is gone, the record stays to say "plan again". */
  stale?: boolean;
}

export const planRecordKey = (target: Pick<ResolvedTarget, 'ref'>, planId: string) =>
  planKey(target.ref, planId).replace(/\.tfplan$/, '.json');

const emptySummary = (): PlanSummary => ({
  add: 0,
  change: 0,
  destroy: 0,
  resources: [],
  drift: [],
  outputs: [],
});

/** A plan's summary as soon as `show -json` prints it, and the command's end (its exit checked). */
interface Shown {
  summary: Promise<PlanSummary>;
  /** Resolves once tofu has exited with 0 and printed its JSON; the plan file may go then, not before. */
  ended: Promise<void>;
}

/**
 * `show -json` of a plan file. The summary is read from the JSON line as it arrives: tofu takes a few more
 * ms to stop its providers and exit, and what waits for the summary (the plan's record) goes meanwhile.
 */
function showPlan(ctx: RunContext, target: ResolvedTarget, cwd: string, planFile: string): Shown {
  let onJson!: (json: string) => void;
  const printed = new Promise<string>((resolve) => (onJson = resolve));
  const show = ctx
    .run(['show', '-json', planFile], {
      cwd,
      // `show -json` prints one JSON document on one line; anything else on stdout is a warning.
      onStdout: (line) => {
        if (line.startsWith('{')) onJson(line);
      },
    })
    .then((result) => {
      if (result.exitCode !== 0) {
        throw new TofuError(
          `Could not read the plan of ${target.description}: ${ctx.lastLines(result.lines)}`,
          { command: result.command, exitCode: result.exitCode, output: result.lines.join('\n') },
        );
      }
      if (!result.stdout.some((line) => line.startsWith('{'))) {
        throw new SpawnitError('TOFU_FAILED', `"${result.command}" printed no JSON plan.`);
      }
    });
  // Whichever comes first: the JSON, or the end of a show that failed or printed none.
  const summary = Promise.race([printed, show.then(() => printed)]).then((json) =>
    summarizePlan(json, { secrets: target.secretValues }),
  );
  summary.catch(() => undefined);
  return { summary, ended: show };
}

/** A plan tofu wrote to a file in its working directory (the caller removes it), or why there is none. */
export type PlannedFile =
  | { ok: false; result: PlanResult }
  | {
      ok: true;
      planId: string;
      status: Exclude<PlanStatus, 'error'>;
      dir: string;
      /** Relative to `dir`. */
      planFile: string;
      base: Pick<PlanResult, 'exitCode' | 'configHash' | 'initialized'> & { configHash: string };
    };

/** init (when needed) → plan -detailed-exitcode -out: the plan stays in the working directory. */
export async function planToFile(
  ctx: RunContext,
  target: ResolvedTarget,
  options: PlanOptions = {},
): Promise<PlannedFile> {
  const planId = randomUUID();
  const destroy = options.destroy ?? false;
  const { destroy: _destroy, save: _save, ...hooks } = options;
  const runOptions = { ...hooks, redact: target.secretValues };
  const failed = (error: string, extra: Partial<PlanResult> = {}): PlannedFile => ({
    ok: false,
    result: {
      planId,
      status: 'error',
      destroy,
      summary: undefined,
      error,
      exitCode: undefined,
      configHash: undefined,
      initialized: false,
      cancelled: false,
      saved: false,
      ...extra,
    },
  });

  let prepared: Awaited<ReturnType<typeof prepareWorkdir>>;
  try {
    prepared = await prepareWorkdir(ctx, target, runOptions);
  } catch (error) {
    if (error instanceof TofuError)
      return failed(error.message, { cancelled: error.isCanceled, initialized: true });
    throw error;
  }
  const planFile = path.join('plans', `${planId}.tfplan`);
  const args = [
    'plan',
    '-input=false',
    // A plan that is not saved (a drift or network check) writes nothing and is never applied; SpawnIt's own
    // lock keeps runs of a target apart and S3 reads are atomic: tofu's lock would cost three S3 requests.
    ...(options.save === false ? ['-lock=false'] : [`-lock-timeout=${ctx.lockTimeout}`]),
    '-detailed-exitcode',
    `-out=${planFile}`,
    ...(destroy ? ['-destroy'] : []),
    ...ctx.colorArgs,
  ];
  const result = await ctx.run(args, { cwd: prepared.dir, ...runOptions });
  const base = {
    exitCode: result.exitCode,
    configHash: prepared.configHash,
    initialized: prepared.initialized,
  };
  if (result.isCanceled) {
    await rm(path.join(prepared.dir, planFile), { force: true });
    return failed(`The plan of ${target.description} was cancelled.`, { ...base, cancelled: true });
  }
  if (result.exitCode !== 0 && result.exitCode !== 2) {
    await rm(path.join(prepared.dir, planFile), { force: true });
    const what = destroy ? 'destroy plan' : 'plan';
    return failed(`The ${what} of ${target.description} failed: ${ctx.lastLines(result.lines)}`, base);
  }
  const status = result.exitCode === 0 ? 'compliant' : 'drifted';
  return { ok: true, planId, status, dir: prepared.dir, planFile, base };
}

/** init (when needed) → plan -detailed-exitcode -out → show -json → save the plan to S3. */
export async function plan(
  ctx: RunContext,
  target: ResolvedTarget,
  options: PlanOptions = {},
): Promise<PlanResult> {
  const planned = await planToFile(ctx, target, options);
  if (!planned.ok) return planned.result;
  const { planId, status, dir, planFile, base } = planned;
  const destroy = options.destroy ?? false;
  const save = (options.save ?? true) && status === 'drifted';
  // The plan file goes up while tofu reads it for the summary; its record still goes last.
  // Indexed as it goes up, so an apply retires it and nothing is left unknown if the rest fails.
  const savedAt = new Date().toISOString();
  const upload = save
    ? Promise.all([
        ctx.index.putSavedPlan(target.ref, { planId, savedAt }),
        readFile(path.join(dir, planFile)).then((body) => ctx.store.put(planKey(target.ref, planId), body)),
      ])
    : Promise.resolve();
  const shown = status === 'compliant' ? undefined : showPlan(ctx, target, dir, planFile);
  let summary: PlanSummary;
  let recorded = false;
  try {
    summary = shown ? await shown.summary : emptySummary();
    if (save) {
      await upload;
      const record: PlanRecord = {
        planId,
        status,
        destroy,
        configHash: base.configHash,
        summary: withoutAttributes(summary),
        createdAt: savedAt,
      };
      // The record goes last, while tofu's show exits: a plan without its record is never applied.
      await ctx.store.putJson(planRecordKey(target, planId), record);
      recorded = true;
    }
    await shown?.ended;
  } catch (error) {
    await Promise.all([upload.catch(() => undefined), shown?.ended.catch(() => undefined)]);
    // A show that failed after printing its plan: that plan is not offered, so it cannot be applied either.
    if (recorded) await discardSavedPlan(ctx, target.ref, planId).catch(() => undefined);
    throw error;
  }
  // Housekeeping, not part of the plan: nobody waits for it (it retries at the next plan).
  if (save) void expireSavedPlans(ctx, target).catch(() => undefined);
  // The saved copy is in S3; apply fetches it again. No plan lingers on the local disk.
  await rm(path.join(dir, planFile), { force: true });
  return {
    planId,
    status,
    destroy,
    summary,
    error: undefined,
    cancelled: false,
    saved: save,
    ...base,
  };
}

/** Exit 0 means nothing to change: the summary is empty, and a second tofu process to say so is saved. */
export const summaryOf = async (
  ctx: RunContext,
  target: ResolvedTarget,
  status: Exclude<PlanStatus, 'error'>,
  dir: string,
  planFile: string,
): Promise<PlanSummary> => {
  if (status === 'compliant') return emptySummary();
  const shown = showPlan(ctx, target, dir, planFile);
  const [summary] = await Promise.all([shown.summary, shown.ended]);
  return summary;
};
