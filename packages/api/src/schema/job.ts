import {
  type AttributeChange,
  batchLines,
  isTerminal,
  type JobProgress,
  type JobRecord,
  type JobState,
  type LockInfo,
  type LogLine,
  type PlanSummary,
  type ResourceChange,
  stripAnsi,
} from '@spawnit/engine';
import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';
import { Repeater } from 'graphql-yoga';
import { builder, type Context } from '../builder.js';
import { notFound } from '../errors.js';
import { ProviderEnum } from './common.js';

export const PlanStatusEnum = builder.enumType('PlanStatus', {
  description: 'What a plan found.',
  values: {
    COMPLIANT: { value: 'compliant', description: 'Nothing to change: what runs is what is configured.' },
    DRIFTED: {
      value: 'drifted',
      description: 'Changes are planned (new configuration, or changes made outside).',
    },
    ERROR: { value: 'error', description: 'The plan failed; see the error.' },
  } as const,
});

const JobKindEnum = builder.enumType('JobKind', {
  description: 'What a job does.',
  values: {
    PLAN: { value: 'plan', description: 'Computes the changes and saves them as a plan to apply.' },
    APPLY: { value: 'apply', description: 'Applies a saved plan, exactly as it was shown.' },
    DESTROY: { value: 'destroy', description: 'Plans the destruction, then applies it.' },
  } as const,
});

const JobStateEnum = builder.enumType('JobState', {
  description: 'Where a job is in its life: queued -> running -> one of the final states.',
  values: {
    QUEUED: { value: 'queued', description: 'Waiting for another run on the same target to end.' },
    RUNNING: { value: 'running', description: 'Running now; its log grows.' },
    SUCCEEDED: { value: 'succeeded', description: 'Done.' },
    FAILED: { value: 'failed', description: 'Stopped on an error; see `error` and the log.' },
    CANCELLED: { value: 'cancelled', description: 'Stopped on request.' },
    INTERRUPTED: {
      value: 'interrupted',
      description: 'SpawnIt stopped while it ran; it was found at restart.',
    },
  } as const,
});

const JobTriggerEnum = builder.enumType('JobTrigger', {
  description: 'Who asked for a job.',
  values: {
    USER: { value: 'user', description: 'The owner, from the UI or the API.' },
    DRIFT: { value: 'drift', description: 'The drift loop, checking for changes made outside SpawnIt.' },
  } as const,
});

const TargetKindEnum = builder.enumType('TargetKind', {
  description: 'What a job runs on.',
  values: {
    SERVICE: { value: 'service', description: 'A service.' },
    NETWORK: { value: 'network', description: 'A network.' },
  } as const,
});

const AttributeChangeRef = builder.objectRef<AttributeChange>('AttributeChange').implement({
  description:
    'One attribute a change touches, before -> after, from `show -json`. Sensitive values are never sent: only their flags.',
  fields: (t) => ({
    path: t.exposeString('path', {
      description: 'Where it sits, e.g. `input.message` or `ports[0].external`; empty for an output.',
    }),
    before: t.string({
      nullable: true,
      description: 'The value before, as JSON text; null when it did not exist or is sensitive.',
      resolve: (a) => a.before ?? null,
    }),
    after: t.string({
      nullable: true,
      description: 'The value after, as JSON text; null when it goes, is sensitive or is known after apply.',
      resolve: (a) => a.after ?? null,
    }),
    beforeSensitive: t.boolean({
      description: 'The value before is sensitive (masked).',
      resolve: (a) => a.beforeSensitive ?? false,
    }),
    afterSensitive: t.boolean({
      description: 'The value after is sensitive (masked).',
      resolve: (a) => a.afterSensitive ?? false,
    }),
    afterUnknown: t.boolean({
      description: 'The value after is known only after apply.',
      resolve: (a) => a.afterUnknown ?? false,
    }),
    forcesReplacement: t.boolean({
      description: 'Changing it makes tofu replace the resource.',
      resolve: (a) => a.forcesReplacement ?? false,
    }),
  }),
});

const ResourceChangeRef = builder.objectRef<ResourceChange>('ResourceChange').implement({
  description: 'One resource (or output) a plan touches.',
  fields: (t) => ({
    attributes: t.field({
      type: [AttributeChangeRef],
      nullable: true,
      description:
        'The attributes that change; null when the plan was too large to list them (the first 200 resources are).',
      resolve: (r) => r.attributes ?? null,
    }),
    address: t.exposeString('address', {
      description: 'Its address, e.g. `module.this.terraform_data.this` or `output.url`.',
    }),
    actions: t.exposeStringList('actions', {
      description: 'What happens to it: `create`, `update`, `delete` (both for a replacement).',
    }),
  }),
});

export const PlanSummaryRef = builder.objectRef<PlanSummary>('PlanSummary').implement({
  description: 'What a plan would change, as counted by tofu ("Plan: 1 to add, 0 to change, 0 to destroy").',
  fields: (t) => ({
    add: t.exposeInt('add', { description: 'Resources to create.' }),
    change: t.exposeInt('change', { description: 'Resources to update in place.' }),
    destroy: t.exposeInt('destroy', { description: 'Resources to delete.' }),
    resources: t.field({
      type: [ResourceChangeRef],
      description: 'The resources that change.',
      resolve: (s) => s.resources,
    }),
    drift: t.field({
      type: [ResourceChangeRef],
      description: 'Changes made outside SpawnIt that the refresh found.',
      resolve: (s) => s.drift,
    }),
    outputs: t.field({
      type: [ResourceChangeRef],
      description: 'Outputs whose value changes.',
      resolve: (s) => s.outputs,
    }),
  }),
});

const JobProgressRef = builder.objectRef<JobProgress>('JobProgress').implement({
  description:
    "How far an apply or destroy has come, from tofu's machine-readable events (resources done of those planned).",
  fields: (t) => ({
    done: t.exposeInt('done', { description: 'Resources whose change is complete.' }),
    total: t.exposeInt('total', { description: 'Resources the plan changes.' }),
    failed: t.exposeInt('failed', { description: 'Resources whose change failed.' }),
  }),
});

const LockRef = builder.objectRef<LockInfo>('StateLock').implement({
  description: 'A state lock a job left in the backend (after a forced kill or a crash).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The lock id.' }),
    operation: t.exposeString('operation', {
      nullable: true,
      description: 'The tofu operation that took it.',
    }),
    who: t.exposeString('who', { nullable: true, description: 'Who took it (user@host).' }),
    created: t.exposeString('created', { nullable: true, description: 'When it was taken.' }),
  }),
});

export const LogLineRef = builder.objectRef<LogLine>('LogLine').implement({
  description: 'One line of a job log.',
  fields: (t) => ({
    n: t.exposeInt('n', {
      description: 'Its number: from 0, with no gaps, so a client can resume after it.',
    }),
    text: t.string({
      description: 'The text, without colours; secrets are redacted.',
      resolve: (line) => stripAnsi(line.text),
    }),
    styled: t.string({
      description:
        "The text with tofu's ANSI colour codes (SGR sequences), for a client that renders them; secrets are redacted.",
      resolve: (line) => line.text,
    }),
  }),
});

export const JobRef = builder.objectRef<JobRecord>('Job').implement({
  description: 'A plan, apply or destroy of a service or network, run by tofu, with its log.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The job id (a UUID).' }),
    kind: t.field({ type: JobKindEnum, description: 'What it does.', resolve: (job) => job.kind }),
    state: t.field({ type: JobStateEnum, description: 'Where it is.', resolve: (job) => job.state }),
    trigger: t.field({
      type: JobTriggerEnum,
      description: 'Who asked for it.',
      resolve: (job) => job.trigger,
    }),
    destroy: t.exposeBoolean('destroy', {
      description: 'A plan of the destruction, its apply, or a destroy job.',
    }),
    targetKind: t.field({
      type: TargetKindEnum,
      description: 'Whether it runs on a service or a network.',
      resolve: (job) => job.target.kind,
    }),
    serviceId: t.id({
      nullable: true,
      description: 'The service it runs on (null for a network job).',
      resolve: (job) => (job.target.kind === 'service' ? job.target.serviceId : null),
    }),
    networkProvider: t.field({
      type: ProviderEnum,
      nullable: true,
      description: 'The provider of the network it runs on (null for a service job).',
      resolve: (job) => (job.target.kind === 'network' ? job.target.provider : null),
    }),
    networkName: t.string({
      nullable: true,
      description: 'The network it runs on (null for a service job).',
      resolve: (job) => (job.target.kind === 'network' ? job.target.networkName : null),
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it was asked for.',
      resolve: (j) => j.createdAt,
    }),
    startedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it started running.',
      resolve: (job) => job.startedAt ?? null,
    }),
    finishedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it reached a final state.',
      resolve: (job) => job.finishedAt ?? null,
    }),
    planJobId: t.id({
      nullable: true,
      description: 'For an apply: the plan job whose plan it applies.',
      resolve: (job) => job.planJobId ?? null,
    }),
    planStatus: t.field({
      type: PlanStatusEnum,
      nullable: true,
      description: 'For a plan: what it found.',
      resolve: (job) => job.planStatus ?? null,
    }),
    canApply: t.boolean({
      description:
        'A succeeded plan with changes, not applied yet: `applyService`/`applyNetwork` can apply it (once).',
      resolve: (job) =>
        job.kind === 'plan' && job.state === 'succeeded' && job.planId !== undefined && !job.appliedBy,
    }),
    appliedBy: t.id({
      nullable: true,
      description: 'For a plan: the apply job that took it (a plan is applied at most once).',
      resolve: (job) => job.appliedBy ?? null,
    }),
    summary: t.field({
      type: PlanSummaryRef,
      nullable: true,
      description: 'What the plan changes (or what the apply changed).',
      resolve: (job) => job.summary ?? null,
    }),
    progress: t.field({
      type: JobProgressRef,
      nullable: true,
      description:
        'For an apply or destroy: resources done of those planned; null before tofu starts changing.',
      resolve: (job) => job.progress ?? null,
    }),
    error: t.string({
      nullable: true,
      description: 'Why it failed or was cancelled, for the user.',
      resolve: (job) => job.error ?? null,
    }),
    lock: t.field({
      type: LockRef,
      nullable: true,
      description: 'A state lock it left behind, to release before the next run.',
      resolve: (job) => job.lock ?? null,
    }),
    log: t.field({
      type: [LogLineRef],
      description: 'The log so far. Subscribe to `jobLogs` to follow a running job.',
      args: {
        fromLine: t.arg.int({ defaultValue: 0, description: 'The first line number to return.' }),
      },
      resolve: (job, { fromLine }, ctx) => ctx.operations.readLog(job.clientId, job.id, fromLine ?? 0),
    }),
  }),
});

builder.queryField('job', (t) =>
  t.field({
    type: JobRef,
    nullable: true,
    description: 'One of your jobs; null when there is no such job (or it is not yours).',
    args: { id: t.arg.id({ required: true, description: 'The job id.' }) },
    resolve: async (_root, { id }, ctx) =>
      (await ctx.loaders.job.load({ clientId: ctx.viewer.clientId, jobId: String(id) })) ?? null,
  }),
);

builder.queryField('jobs', (t) =>
  t.field({
    type: [JobRef],
    description: 'Your jobs, newest first.',
    args: {
      limit: t.arg.int({ defaultValue: 50, description: 'How many at most (1-500).' }),
    },
    resolve: async (_root, { limit }, ctx) => {
      // From the index: the newest `limit`, whatever the length of the history.
      return ctx.operations.listJobs(ctx.viewer.clientId, { limit: Math.min(Math.max(limit ?? 50, 1), 500) });
    },
  }),
);

builder.mutationField('cancelJob', (t) =>
  t.field({
    type: JobRef,
    description:
      'Cancels a queued or running job: a queued one at once; a running one with one interrupt, so tofu saves its state and releases its lock; with `force`, tofu is killed (a lock may be left behind).',
    args: {
      id: t.arg.id({ required: true, description: 'The job id.' }),
      force: t.arg.boolean({ defaultValue: false, description: 'Kill tofu now rather than interrupt it.' }),
    },
    resolve: (_root, { id, force }, ctx) =>
      ctx.operations.cancel(ctx.viewer.clientId, String(id), { force: force ?? false }),
  }),
);

// Final states share the last rank: a job never goes back, so an older event is never sent after a newer one.
const RANK: Record<JobState, number> = {
  queued: 0,
  running: 1,
  succeeded: 2,
  failed: 2,
  cancelled: 2,
  interrupted: 2,
};

/**
 * A job's log as a subscription stream: the owner's job only, lines from `fromLine`, ended (and its listener
 * gone) as soon as the client goes away, not at the next line. `events` follows the job's log (from the line
 * and until the signal given) as what is pushed.
 */
async function followJobLog<T>(
  ctx: Context,
  jobId: string | number,
  fromLine: number | null | undefined,
  events: (follow: {
    clientId: string;
    jobId: string;
    fromLine: number;
    signal: AbortSignal;
  }) => AsyncIterable<T>,
): Promise<Repeater<T>> {
  const { clientId } = ctx.viewer;
  const job = await ctx.operations.getJob(clientId, String(jobId));
  if (!job) throw notFound(`Job ${jobId} does not exist.`);
  return new Repeater<T>(async (push, stop) => {
    const abort = new AbortController();
    void stop.then(() => abort.abort());
    const followed = events({ clientId, jobId: job.id, fromLine: fromLine ?? 0, signal: abort.signal });
    // The next event gathers while this one is pushed: push resolves once the transport took it.
    for await (const event of followed) await push(event);
    stop();
  });
}

builder.subscriptionField('jobLogs', (t) =>
  t.field({
    type: LogLineRef,
    description:
      "A job's log: the lines from `fromLine` already written, then live ones, in order, without gaps or repeats. Completes when the job ends.",
    args: {
      jobId: t.arg.id({ required: true, description: 'The job id.' }),
      fromLine: t.arg.int({
        defaultValue: 0,
        description: 'The first line to send; a client that reconnects passes the last `n` it got + 1.',
      }),
    },
    subscribe: (_root, { jobId, fromLine }, ctx) =>
      followJobLog(ctx, jobId, fromLine, (f) =>
        ctx.operations.followLog(f.clientId, f.jobId, f.fromLine, f.signal),
      ),
    resolve: (line) => line,
  }),
);

builder.subscriptionField('jobLogBatches', (t) =>
  t.field({
    type: [LogLineRef],
    description:
      "A job's log as `jobLogs` sends it (from `fromLine`, in order, without gaps or repeats, completing when the job ends), but several lines per event when they come faster than the client reads: every line written while the last event was on its way, at most 1,000. Follow a busy log with this one.",
    args: {
      jobId: t.arg.id({ required: true, description: 'The job id.' }),
      fromLine: t.arg.int({
        defaultValue: 0,
        description: 'The first line to send; a client that reconnects passes the last `n` it got + 1.',
      }),
    },
    // The log's own batches, one step each, gathered further while the client reads.
    subscribe: (_root, { jobId, fromLine }, ctx) =>
      followJobLog(ctx, jobId, fromLine, (f) =>
        batchLines(ctx.operations.followLogBatches(f.clientId, f.jobId, f.fromLine, f.signal)),
      ),
    resolve: (lines) => lines,
  }),
);

/** Whether the operation selects `name` directly under this field (through fragments too). */
function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  const visit = (set: SelectionSetNode | undefined): boolean =>
    (set?.selections ?? []).some((s) => {
      if (s.kind === Kind.FIELD) return s.name.value === name;
      if (s.kind === Kind.INLINE_FRAGMENT) return visit(s.selectionSet);
      return visit(info.fragments[s.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet));
}

builder.subscriptionField('jobUpdated', (t) =>
  t.field({
    type: JobRef,
    description:
      "A job's state: the current one at once, then every change (and, when `progress` is selected, each move of a running job's progress). Completes when the job reaches a final state.",
    args: { jobId: t.arg.id({ required: true, description: 'The job id.' }) },
    subscribe: async (_root, { jobId }, ctx, info) => {
      const { clientId } = ctx.viewer;
      const id = String(jobId);
      // Only a client that asks for progress gets a running job again; the others see each state once.
      const followsProgress = selectsField(info, 'progress');
      if (!(await ctx.operations.getJob(clientId, id))) throw notFound(`Job ${jobId} does not exist.`);
      return new Repeater<JobRecord>(async (push, stop) => {
        let rank = -1;
        let progress = '';
        const send = (job: JobRecord) => {
          // A running job is sent again when its progress moves; otherwise only a later state goes out.
          const moved =
            followsProgress && job.state === 'running' && JSON.stringify(job.progress ?? null) !== progress;
          if (RANK[job.state] < rank || (RANK[job.state] === rank && !moved)) return;
          rank = RANK[job.state];
          progress = JSON.stringify(job.progress ?? null);
          void push(job);
          if (isTerminal(job.state)) stop();
        };
        const onJob = (job: JobRecord) => job.id === id && job.clientId === clientId && send(job);
        // Listen first, then read the current state: a change in between is not lost.
        const unsubscribe = ctx.operations.events.subscribe('jobUpdated', onJob);
        try {
          const current = await ctx.operations.getJob(clientId, id);
          if (current) send(current);
          await stop;
        } finally {
          unsubscribe();
        }
      });
    },
    resolve: (job) => job,
  }),
);
