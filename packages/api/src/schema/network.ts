import {
  maskSecrets,
  type NetworkConfig,
  type NetworkEntry,
  type ProviderName,
  type TargetRef,
  ValidationError,
} from '@spawnit/engine';
import type { Context } from '../builder.js';
import { builder } from '../builder.js';
import { notFound } from '../errors.js';
import { ProviderEnum } from './common.js';
import { JobRef } from './job.js';
import { forCallerOrAll, ServiceRef } from './service.js';

const networkTarget = (clientId: string, provider: ProviderName, networkName: string): TargetRef => ({
  kind: 'network',
  clientId,
  provider,
  networkName,
});

/** The caller's network, or NOT_FOUND: another client's answers exactly like a missing one. */
async function ownNetwork(ctx: Context, provider: ProviderName, name: string): Promise<NetworkConfig> {
  const network = await ctx.engine.getNetwork({ clientId: ctx.viewer.clientId, provider, networkName: name });
  if (!network) throw notFound(`Network "${name}" (${provider}) does not exist.`);
  return network;
}

export const NetworkRef = builder.objectRef<NetworkEntry | NetworkConfig>('Network').implement({
  description:
    "A network a user's services sit on, addressed by provider and name. Services of one user on the same network share it.",
  fields: (t) => ({
    provider: t.field({ type: ProviderEnum, description: 'Where it runs.', resolve: (n) => n.provider }),
    name: t.exposeString('networkName', { description: 'Its name (unique per owner and provider).' }),
    clientId: t.exposeID('clientId', { description: 'The owner.' }),
    params: t.field({
      type: 'JSON',
      description: 'The saved values (see `networkTemplate`); secrets are null.',
      resolve: async (n, _args, ctx) => {
        // Listings hold no parameters (they stay sealed in S3): read them for the networks that ask.
        const params = 'params' in n ? n.params : ((await ctx.loaders.networkConfig.load(n))?.params ?? {});
        const template = ctx.engine.catalog.network(n.provider);
        return template ? maskSecrets(template, params) : params;
      },
    }),
    createdAt: t.field({
      type: 'DateTime',
      description: 'When it was created.',
      resolve: (n) => n.createdAt,
    }),
    updatedAt: t.field({
      type: 'DateTime',
      description: 'When it was last saved.',
      resolve: (n) => n.updatedAt,
    }),
    deployed: t.boolean({
      description: 'Whether its state holds resources.',
      resolve: (n, _args, ctx) =>
        ctx.loaders.deployed.load(networkTarget(n.clientId, n.provider, n.networkName)),
    }),
    services: t.field({
      type: [ServiceRef],
      description: "The owner's services configured on this network.",
      resolve: async (n, _args, ctx) =>
        (await ctx.loaders.servicesOf.load(n.clientId)).filter(
          (s) => s.provider === n.provider && s.networkName === n.networkName,
        ),
    }),
    jobs: t.field({
      type: [JobRef],
      description: 'Its jobs, newest first.',
      resolve: (n, _args, ctx) =>
        ctx.loaders.jobsOf.load(networkTarget(n.clientId, n.provider, n.networkName)),
    }),
  }),
});

builder.objectField(ServiceRef, 'network', (t) =>
  t.field({
    type: NetworkRef,
    nullable: true,
    description: 'The network it sits on; null while that network is not created.',
    resolve: async (s, _args, ctx) =>
      (await ctx.loaders.network.load({
        clientId: s.clientId,
        provider: s.provider,
        networkName: s.networkName,
      })) ?? null,
  }),
);

builder.objectField(JobRef, 'network', (t) =>
  t.field({
    type: NetworkRef,
    nullable: true,
    description: 'The network it runs on (null for a service job, or once the network is deleted).',
    resolve: async (job, _args, ctx) =>
      job.target.kind === 'network'
        ? ((await ctx.loaders.network.load({
            clientId: job.clientId,
            provider: job.target.provider,
            networkName: job.target.networkName,
          })) ?? null)
        : null,
  }),
);

builder.queryField('networks', (t) =>
  t.field({
    type: [NetworkRef],
    description: "Your networks. With `all: true` (admins only), every client's.",
    args: { all: t.arg.boolean({ defaultValue: false, description: "Every client's networks (admins)." }) },
    resolve: (_root, { all }, ctx) =>
      forCallerOrAll(ctx, all, (clientId) => ctx.loaders.networksOf.load(clientId)),
  }),
);

builder.queryField('network', (t) =>
  t.field({
    type: NetworkRef,
    nullable: true,
    description: 'One of your networks; null when you have none with this provider and name.',
    args: {
      provider: t.arg({ type: ProviderEnum, required: true, description: 'Its provider.' }),
      name: t.arg.string({ required: true, description: 'Its name.' }),
    },
    resolve: async (_root, { provider, name }, ctx) =>
      (await ctx.loaders.network.load({ clientId: ctx.viewer.clientId, provider, networkName: name })) ??
      null,
  }),
);

const CreateNetworkInput = builder.inputType('CreateNetworkInput', {
  description: 'A new network.',
  fields: (t) => ({
    provider: t.field({ type: ProviderEnum, defaultValue: 'local', description: 'Where it runs.' }),
    networkName: t.string({
      required: true,
      description: 'Its name: 2-40 lowercase letters, digits and single hyphens, starting with a letter.',
    }),
    params: t.field({
      type: 'JSON',
      description: 'The values, by parameter name; see `networkTemplate(provider)`. Omitted: none.',
    }),
  }),
});

builder.mutationField('createNetwork', (t) =>
  t.field({
    type: NetworkRef,
    description: 'Validates and saves a network configuration. Deploys nothing: plan and apply it.',
    errors: {
      types: [ValidationError],
      union: { name: 'CreateNetworkResult', description: 'The saved network, or why it was refused.' },
    },
    args: { input: t.arg({ type: CreateNetworkInput, required: true, description: 'The new network.' }) },
    resolve: (_root, { input }, ctx) =>
      ctx.engine.createNetwork({
        clientId: ctx.viewer.clientId,
        provider: (input.provider ?? 'local') as ProviderName,
        networkName: input.networkName,
        params: input.params ?? {},
      }),
  }),
);

builder.mutationField('deleteNetwork', (t) =>
  t.string({
    description:
      'Deletes the configuration and job history of a network that has nothing deployed; returns its name.',
    args: {
      provider: t.arg({ type: ProviderEnum, required: true, description: 'Its provider.' }),
      name: t.arg.string({ required: true, description: 'Its name.' }),
    },
    resolve: async (_root, { provider, name }, ctx) => {
      const network = await ownNetwork(ctx, provider, name);
      await ctx.operations.deleteTarget({
        kind: 'network',
        clientId: network.clientId,
        provider,
        networkName: name,
      });
      return name;
    },
  }),
);

builder.mutationField('planNetwork', (t) =>
  t.field({
    type: JobRef,
    description: 'Queues a plan of the network; apply it with `applyNetwork`.',
    args: {
      provider: t.arg({ type: ProviderEnum, required: true, description: 'Its provider.' }),
      name: t.arg.string({ required: true, description: 'Its name.' }),
      destroy: t.arg.boolean({ defaultValue: false, description: 'Plan the destruction instead.' }),
    },
    resolve: (_root, { provider, name, destroy }, ctx) =>
      ctx.operations.plan(networkTarget(ctx.viewer.clientId, provider, name), { destroy: destroy ?? false }),
  }),
);

builder.mutationField('applyNetwork', (t) =>
  t.field({
    type: JobRef,
    description: 'Queues the apply of a succeeded plan job of this network.',
    args: {
      provider: t.arg({ type: ProviderEnum, required: true, description: 'Its provider.' }),
      name: t.arg.string({ required: true, description: 'Its name.' }),
      planJobId: t.arg.id({ required: true, description: 'The plan job whose plan to apply.' }),
    },
    resolve: (_root, { provider, name, planJobId }, ctx) =>
      ctx.operations.apply(networkTarget(ctx.viewer.clientId, provider, name), String(planJobId)),
  }),
);

builder.mutationField('destroyNetwork', (t) =>
  t.field({
    type: JobRef,
    description: 'Queues a destroy of the network (refused while deployed services sit on it).',
    args: {
      provider: t.arg({ type: ProviderEnum, required: true, description: 'Its provider.' }),
      name: t.arg.string({ required: true, description: 'Its name.' }),
    },
    resolve: (_root, { provider, name }, ctx) =>
      ctx.operations.destroy(networkTarget(ctx.viewer.clientId, provider, name)),
  }),
);

builder.mutationField('forceUnlockNetwork', (t) =>
  t.boolean({
    description:
      "Releases the state lock a killed run left behind (a job's `lock`). Refused unless `lockId` is the lock in the backend and no run of SpawnIt holds the network.",
    args: {
      provider: t.arg({ type: ProviderEnum, required: true, description: 'Its provider.' }),
      name: t.arg.string({ required: true, description: 'Its name.' }),
      lockId: t.arg.string({ required: true, description: 'The lock id, as a job reported it.' }),
    },
    resolve: async (_root, { provider, name, lockId }, ctx) => {
      await ctx.operations.forceUnlock(networkTarget(ctx.viewer.clientId, provider, name), lockId);
      return true;
    },
  }),
);
