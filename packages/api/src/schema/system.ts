import type { Engine, Preflight } from '@spawnit/engine';
import { builder } from '../builder.js';

const ProviderSourceKind = builder.enumType('ProviderSourceKind', {
  description: 'Where OpenTofu installs providers from.',
  values: {
    REGISTRY: { value: 'registry', description: "The providers' registries." },
    FILESYSTEM: { value: 'filesystem', description: 'A folder laid out as a filesystem mirror.' },
    NETWORK: { value: 'network', description: 'A network mirror.' },
  },
});

const DockerStatusRef = builder.objectRef<Preflight['docker']>('DockerStatus').implement({
  description: 'The Docker engine local services run on, as the engine reached it.',
  fields: (t) => ({
    host: t.exposeString('host', { description: 'DOCKER_HOST as tofu sees it.' }),
    reachable: t.exposeBoolean('reachable', { description: 'It answered.' }),
    version: t.exposeString('version', { nullable: true, description: 'Its version, when it answered.' }),
    error: t.exposeString('error', { nullable: true, description: 'Why it did not answer, and what to do.' }),
  }),
});

const SystemRef = builder.objectRef<Preflight & { driftLag: number | null }>('System').implement({
  description: 'What SpawnIt runs with: the binary, where providers come from, whether Docker answers.',
  fields: (t) => ({
    binary: t.string({ description: '`tofu` or `terraform`.', resolve: (p) => p.tofu.name }),
    binaryVersion: t.string({ description: 'Its version.', resolve: (p) => p.tofu.version }),
    providerSource: t.field({
      type: ProviderSourceKind,
      description: 'Where providers come from.',
      resolve: (p) => p.providers.kind,
    }),
    providerMirror: t.string({
      nullable: true,
      description: 'The mirror folder or URL, when providers come from one.',
      resolve: (p) =>
        p.providers.kind === 'filesystem'
          ? p.providers.path
          : p.providers.kind === 'network'
            ? p.providers.url
            : null,
    }),
    docker: t.field({ type: DockerStatusRef, description: 'The Docker engine.', resolve: (p) => p.docker }),
    warnings: t.exposeStringList('warnings', {
      description: 'One line per missing part, with what to do; empty when all is well.',
    }),
    driftLag: t.int({
      nullable: true,
      description:
        'How late drift checks are on their promise, in ms: the time since the oldest check of a deployed service was due (0 when every service was checked within the interval; null when drift checks are off).',
      resolve: (p) => p.driftLag,
    }),
    checkedAt: t.field({
      type: 'DateTime',
      description: 'When this was checked.',
      resolve: (p) => p.checkedAt,
    }),
  }),
});

/** The notice when the drift loop is a whole interval behind its promise. */
export function driftLateWarning(lagMs: number, intervalMs: number): string {
  const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
  return `Drift checks are ${seconds(lagMs)} late: a deployed service has waited more than twice the ${seconds(intervalMs)} interval (SPAWNIT_DRIFT_INTERVAL_MS) for its check, so changes made outside SpawnIt show late. Raise the interval, or give SpawnIt more CPU.`;
}

// One check at a time and at most one every few seconds, however many clients ask.
const FRESH_MS = 5000;
const checks = new WeakMap<Engine, { at: number; result: Promise<Preflight> }>();

function preflightOf(engine: Engine): Promise<Preflight> {
  const cached = checks.get(engine);
  if (cached && Date.now() - cached.at < FRESH_MS) return cached.result;
  const result = engine.preflight();
  checks.set(engine, { at: Date.now(), result });
  return result;
}

builder.queryField('system', (t) =>
  t.field({
    type: SystemRef,
    description:
      'What SpawnIt runs with, checked now (at most every 5 s): the UI shows a notice for each warning.',
    resolve: async (_root, _args, ctx) => {
      const preflight = await preflightOf(ctx.engine);
      // Read now, not cached with the preflight: it moves every second when the loop falls behind.
      const driftLag = ctx.drift ? await ctx.drift.lag() : null;
      const late = ctx.drift && driftLag !== null && driftLag >= ctx.drift.intervalMs;
      return {
        ...preflight,
        driftLag,
        // A whole interval late: the UI's notices say so, instead of drift going unseen for longer than promised.
        warnings: late
          ? [...preflight.warnings, driftLateWarning(driftLag, ctx.drift!.intervalMs)]
          : preflight.warnings,
      };
    },
  }),
);
