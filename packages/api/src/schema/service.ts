import {
  type Engine,
  maskSecrets,
  type ProviderName,
  presentOutputs,
  type ServiceConfig,
  type ServiceEntry,
  type ServiceStatus,
  type TargetRef,
  ValidationError,
} from '@spawnit/engine';
import { Repeater } from 'graphql-yoga';
import type { Context } from '../builder.js';
import { builder } from '../builder.js';
import { apiError, notFound } from '../errors.js';
import { TemplateRef } from './catalog.js';
import { ProviderEnum } from './common.js';
import { JobRef, PlanStatusEnum, PlanSummaryRef } from './job.js';

const serviceTarget = (clientId: string, serviceId: string): TargetRef => ({
  kind: 'service',
  clientId,
  serviceId,
});

/** The caller's service, or NOT_FOUND: another client's id answers exactly like a missing one. */
export async function ownService(ctx: Context, serviceId: string): Promise<ServiceConfig> {
  const service = await ctx.engine.getService({ clientId: ctx.viewer.clientId, serviceId });
  if (!service) throw notFound(`Service "${serviceId}" does not exist.`);
  return service;
}

/** Every client's id, for admins' `all: true` lists. */
export async function allClientIds(engine: Engine): Promise<string[]> {
  return engine.index.clients();
}

/** Runs `list` for the caller, or for every client when an admin asks for `all`. */
export async function forCallerOrAll<T>(
  ctx: Context,
  all: boolean | null | undefined,
  list: (clientId: string) => Promise<T[]>,
): Promise<T[]> {
  if (!all) return list(ctx.viewer.clientId);
  if (!ctx.viewer.isAdmin) throw apiError('FORBIDDEN', '`all: true` needs the admin role.', 403);
  const lists = await Promise.all(
    (await allClientIds(ctx.engine)).map((clientId) =>
      // A folder whose name is not a valid client id was not written by SpawnIt; skip it.
      list(clientId).catch(() => [] as T[]),
    ),
  );
  return lists.flat();
}

interface OutputValue {
  name: string;
  description: string | null;
  sensitive: boolean;
  value: unknown;
}

const OutputRef = builder.objectRef<OutputValue>('Output').implement({
  description: 'A value a deployed service reports, read from its state.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The output name.' }),
    description: t.exposeString('description', { nullable: true, description: 'What it is.' }),
    sensitive: t.exposeBoolean('sensitive', {
      description: 'A secret: its value is null unless the owner asks with `reveal: true`.',
    }),
    value: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The value (null for a sensitive output not revealed).',
      resolve: (o) => o.value ?? null,
    }),
  }),
});

const StatusSourceEnum = builder.enumType('StatusSource', {
  description: 'What found a service status.',
  values: {
    JOB: { value: 'job', description: "A user's plan job." },
    DRIFT: { value: 'drift', description: "The drift loop's periodic plan." },
    APPLY: { value: 'apply', description: 'A successful apply or destroy.' },
  } as const,
});

export const ServiceStatusRef = builder.objectRef<ServiceStatus>('ServiceStatus').implement({
  description: 'The last known state of a service against its configuration.',
  fields: (t) => ({
    status: t.field({
      type: PlanStatusEnum,
      description: 'What the last plan found.',
      resolve: (s) => s.status,
    }),
    checkedAt: t.field({ type: 'DateTime', description: 'When.', resolve: (s) => s.checkedAt }),
    summary: t.field({
      type: PlanSummaryRef,
      nullable: true,
      description: 'When drifted: what changed and what a plan would do.',
      resolve: (s) => s.summary ?? null,
    }),
    error: t.string({
      nullable: true,
      description: 'When error: why the plan failed.',
      resolve: (s) => s.error ?? null,
    }),
    source: t.field({ type: StatusSourceEnum, description: 'What found it.', resolve: (s) => s.source }),
  }),
});

export const ServiceRef = builder.objectRef<ServiceEntry | ServiceConfig>('Service').implement({
  description: 'A service of the catalog, configured by a user. Saving it deploys nothing: plan, then apply.',
  fields: (t) => ({
    id: t.exposeID('serviceId', { description: 'The service id, chosen by its owner (unique per owner).' }),
    clientId: t.exposeID('clientId', {
      description: 'The owner (the token subject of the user who made it).',
    }),
    templateId: t.exposeString('templateId', { description: 'The catalog template it is made from.' }),
    template: t.field({
      type: TemplateRef,
      nullable: true,
      description: 'The template, with its form and outputs; null when it left the catalog.',
      resolve: (s, _args, ctx) => ctx.engine.catalog.get(s.templateId) ?? null,
    }),
    provider: t.field({ type: ProviderEnum, description: 'Where it runs.', resolve: (s) => s.provider }),
    networkName: t.exposeString('networkName', { description: 'The network it sits on.' }),
    params: t.field({
      type: 'JSON',
      description:
        'The saved form values, defaults and generated values included. Secrets are always null here: they are never sent back.',
      resolve: async (s, _args, ctx) => {
        // Listings hold no parameters (they stay sealed in S3): read them for the services that ask.
        const params =
          'params' in s
            ? s.params
            : ((await ctx.loaders.serviceConfig.load({ clientId: s.clientId, serviceId: s.serviceId }))
                ?.params ?? {});
        const template = ctx.engine.catalog.get(s.templateId);
        // Without its template nothing says which values are secret: show none.
        return template
          ? maskSecrets(template, params)
          : Object.fromEntries(Object.keys(params).map((k) => [k, null]));
      },
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it was created.',
      resolve: (s) => s.createdAt,
    }),
    updatedAt: t.field({
      type: 'DateTime',
      description: 'When its configuration was last saved.',
      resolve: (s) => s.updatedAt,
    }),
    deployed: t.boolean({
      description: 'Whether its state holds resources (it must be destroyed before it can be deleted).',
      resolve: (s, _args, ctx) => ctx.loaders.deployed.load(serviceTarget(s.clientId, s.serviceId)),
    }),
    status: t.field({
      type: ServiceStatusRef,
      nullable: true,
      description: "What the last plan (yours or the drift loop's) found; null before the first plan.",
      resolve: async (s, _args, ctx) =>
        (await ctx.loaders.status.load({ clientId: s.clientId, serviceId: s.serviceId })) ?? null,
    }),
    lastPlan: t.field({
      type: JobRef,
      nullable: true,
      description: 'The latest plan job (not a plan of the destruction), with its summary.',
      resolve: async (s, _args, ctx) =>
        (await ctx.loaders.lastPlan.load(serviceTarget(s.clientId, s.serviceId))) ?? null,
    }),
    outputs: t.field({
      type: [OutputRef],
      description: 'What the deployed service reports (empty when it is not deployed).',
      args: {
        reveal: t.arg.boolean({
          defaultValue: false,
          description: 'Show the values of sensitive outputs (only to the owner).',
        }),
      },
      resolve: async (s, { reveal }, ctx) => {
        if (reveal && s.clientId !== ctx.viewer.clientId) {
          throw apiError('FORBIDDEN', 'Only the owner of a service can reveal its sensitive outputs.', 403);
        }
        // The state in S3 holds the outputs (what `tofu output -json` prints): no tofu process per query.
        const state = (await ctx.loaders.state.load(serviceTarget(s.clientId, s.serviceId))) as
          | { outputs?: Record<string, { value: unknown; sensitive?: boolean }> }
          | undefined;
        const declared = ctx.engine.catalog.get(s.templateId)?.outputs;
        return presentOutputs(state?.outputs ?? {}, declared, { reveal: reveal ?? false }).map((output) => ({
          ...output,
          description: output.description ?? null,
        }));
      },
    }),
    jobs: t.field({
      type: [JobRef],
      description: 'Its jobs, newest first.',
      resolve: (s, _args, ctx) => ctx.loaders.jobsOf.load(serviceTarget(s.clientId, s.serviceId)),
    }),
  }),
});

builder.objectField(JobRef, 'service', (t) =>
  t.field({
    type: ServiceRef,
    nullable: true,
    description: 'The service it runs on (null for a network job, or once the service is deleted).',
    resolve: async (job, _args, ctx) =>
      job.target.kind === 'service'
        ? ((await ctx.loaders.service.load({ clientId: job.clientId, serviceId: job.target.serviceId })) ??
          null)
        : null,
  }),
);

builder.queryField('services', (t) =>
  t.field({
    type: [ServiceRef],
    description: "Your services. With `all: true` (admins only), every client's.",
    args: { all: t.arg.boolean({ defaultValue: false, description: "Every client's services (admins)." }) },
    resolve: (_root, { all }, ctx) =>
      forCallerOrAll(ctx, all, (clientId) => ctx.loaders.servicesOf.load(clientId)),
  }),
);

builder.queryField('service', (t) =>
  t.field({
    type: ServiceRef,
    nullable: true,
    description: 'One of your services; null when you have none with this id.',
    args: { id: t.arg.id({ required: true, description: 'The service id.' }) },
    resolve: async (_root, { id }, ctx) =>
      (await ctx.loaders.service.load({ clientId: ctx.viewer.clientId, serviceId: String(id) })) ?? null,
  }),
);

const CreateServiceInput = builder.inputType('CreateServiceInput', {
  description: 'A new service: which template, where, and the form values.',
  fields: (t) => ({
    serviceId: t.string({
      required: true,
      description: 'Its id: 2-40 lowercase letters, digits and single hyphens, starting with a letter.',
    }),
    templateId: t.string({ required: true, description: 'The catalog template.' }),
    provider: t.field({ type: ProviderEnum, defaultValue: 'local', description: 'Where it runs.' }),
    networkName: t.string({
      defaultValue: 'default',
      description: 'The network it sits on; create and apply that network before planning the service.',
    }),
    params: t.field({
      type: 'JSON',
      description: "The form values, by parameter name; see the template's `parameters`. Omitted: none.",
    }),
  }),
});

builder.mutationField('createService', (t) =>
  t.field({
    type: ServiceRef,
    description:
      'Validates and saves a new service configuration. Deploys nothing. Invalid input comes back as `ValidationErrors`, naming each field.',
    errors: {
      types: [ValidationError],
      union: { name: 'CreateServiceResult', description: 'The saved service, or why it was refused.' },
    },
    args: { input: t.arg({ type: CreateServiceInput, required: true, description: 'The new service.' }) },
    resolve: (_root, { input }, ctx) =>
      ctx.engine.createService({
        clientId: ctx.viewer.clientId,
        serviceId: input.serviceId,
        templateId: input.templateId,
        provider: (input.provider ?? 'local') as ProviderName,
        networkName: input.networkName ?? 'default',
        params: input.params ?? {},
      }),
  }),
);

builder.mutationField('updateService', (t) =>
  t.field({
    type: ServiceRef,
    description:
      'Replaces the form values of a service (a secret left empty keeps its saved value). Deploys nothing: plan and apply to roll it out.',
    errors: {
      types: [ValidationError],
      union: { name: 'UpdateServiceResult', description: 'The saved service, or why it was refused.' },
    },
    args: {
      id: t.arg.id({ required: true, description: 'The service id.' }),
      params: t.arg({ type: 'JSON', required: true, description: 'The form values, by parameter name.' }),
    },
    resolve: async (_root, { id, params }, ctx) => {
      const service = await ownService(ctx, String(id));
      return ctx.engine.updateService({ clientId: service.clientId, serviceId: service.serviceId }, params);
    },
  }),
);

builder.mutationField('deleteService', (t) =>
  t.id({
    description:
      'Deletes the configuration and job history of a service that has nothing deployed; returns its id.',
    args: { id: t.arg.id({ required: true, description: 'The service id.' }) },
    resolve: async (_root, { id }, ctx) => {
      const service = await ownService(ctx, String(id));
      await ctx.operations.deleteTarget({
        kind: 'service',
        clientId: service.clientId,
        serviceId: service.serviceId,
      });
      return service.serviceId;
    },
  }),
);

builder.mutationField('planService', (t) =>
  t.field({
    type: JobRef,
    description:
      'Queues a plan of the service (its network is checked first). Follow it with `jobUpdated` and `jobLogs`; apply it with `applyService`.',
    args: {
      id: t.arg.id({ required: true, description: 'The service id.' }),
      destroy: t.arg.boolean({ defaultValue: false, description: 'Plan the destruction instead.' }),
    },
    resolve: (_root, { id, destroy }, ctx) =>
      ctx.operations.plan(serviceTarget(ctx.viewer.clientId, String(id)), { destroy: destroy ?? false }),
  }),
);

builder.mutationField('applyService', (t) =>
  t.field({
    type: JobRef,
    description: 'Queues the apply of a succeeded plan job of this service, exactly as it was planned.',
    args: {
      id: t.arg.id({ required: true, description: 'The service id.' }),
      planJobId: t.arg.id({ required: true, description: 'The plan job whose plan to apply.' }),
    },
    resolve: (_root, { id, planJobId }, ctx) =>
      ctx.operations.apply(serviceTarget(ctx.viewer.clientId, String(id)), String(planJobId)),
  }),
);

builder.mutationField('destroyService', (t) =>
  t.field({
    type: JobRef,
    description: 'Queues a destroy job: a plan of the destruction, then its apply.',
    args: { id: t.arg.id({ required: true, description: 'The service id.' }) },
    resolve: (_root, { id }, ctx) => ctx.operations.destroy(serviceTarget(ctx.viewer.clientId, String(id))),
  }),
);

builder.mutationField('forceUnlockService', (t) =>
  t.boolean({
    description:
      "Releases the state lock a killed run left behind (a job's `lock`). Refused unless `lockId` is the lock in the backend and no run of SpawnIt holds the service.",
    args: {
      id: t.arg.id({ required: true, description: 'The service id.' }),
      lockId: t.arg.string({ required: true, description: 'The lock id, as a job reported it.' }),
    },
    resolve: async (_root, { id, lockId }, ctx) => {
      await ctx.operations.forceUnlock(serviceTarget(ctx.viewer.clientId, String(id)), lockId);
      return true;
    },
  }),
);

interface ServiceStatusChange {
  clientId: string;
  serviceId: string;
  status: ServiceStatus;
}

const ServiceStatusChangeRef = builder.objectRef<ServiceStatusChange>('ServiceStatusChange').implement({
  description: "A service's status changed (a plan or the drift loop found something new).",
  fields: (t) => ({
    serviceId: t.exposeID('serviceId', { description: 'The service.' }),
    clientId: t.exposeID('clientId', { description: 'Its owner.' }),
    status: t.field({ type: ServiceStatusRef, description: 'The new status.', resolve: (e) => e.status }),
    service: t.field({
      type: ServiceRef,
      nullable: true,
      description: 'The service (null once deleted).',
      resolve: async (e, _args, ctx) =>
        (await ctx.loaders.service.load({ clientId: e.clientId, serviceId: e.serviceId })) ?? null,
    }),
  }),
});

builder.subscriptionField('serviceStatus', (t) =>
  t.field({
    type: ServiceStatusChangeRef,
    description:
      "Status and drift changes of your services (or of one, with `id`; of every client's with `all`, admins only). Sent only when a status changes. With `id`, ends with NOT_FOUND once that service is deleted.",
    args: {
      id: t.arg.id({ description: 'Only this service.' }),
      all: t.arg.boolean({ defaultValue: false, description: "Every client's services (admins)." }),
    },
    subscribe: async (_root, { id, all }, ctx) => {
      const { clientId, isAdmin } = ctx.viewer;
      if (all && !isAdmin) throw apiError('FORBIDDEN', '`all: true` needs the admin role.', 403);
      const serviceId = id === null || id === undefined ? undefined : String(id);
      const watched = serviceId === undefined ? undefined : await ownService(ctx, serviceId);
      const wanted = (e: ServiceStatusChange) =>
        (all || e.clientId === clientId) && (serviceId === undefined || e.serviceId === serviceId);
      return new Repeater<ServiceStatusChange | Error>(async (push, stop) => {
        // One event at a time, so the check below cannot reorder them.
        let chain = Promise.resolve();
        const onStatus = (event: ServiceStatusChange) => {
          if (!wanted(event)) return;
          chain = chain.then(async () => {
            // The service watched may have been deleted, and another made with its id since: not the one asked for.
            if (watched) {
              const now = await ctx.engine.getService({ clientId, serviceId: watched.serviceId });
              if (now?.createdAt !== watched.createdAt) {
                await push(
                  notFound(
                    `Service "${watched.serviceId}" was deleted; subscribe again to follow a service made since with this id.`,
                  ),
                );
                stop();
                return;
              }
            }
            await push(event);
          });
        };
        const unsubscribe = ctx.operations.events.subscribe('serviceStatus', onStatus);
        try {
          await stop;
        } finally {
          unsubscribe();
        }
      });
    },
    // A final error (the service watched is gone) is thrown here, so it reaches the client as this field's error.
    resolve: (event) => {
      if (event instanceof Error) throw event;
      return event;
    },
  }),
);
