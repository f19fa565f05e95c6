// A real PostgreSQL, from planService to "accepts connections", through the API (embedded S3 and OIDC,
// OpenTofu, the docker provider from the mirror, the tests' dockerd), next to `tofu init` + `plan` + `apply` of
// the same module by hand in the same script; then how long the drift loop takes to see a `docker stop` with a
// 10-minute interval, so only its reaction to Docker's events can find it in time. Prepares the real stack first (scripts/stack/prepare.sh, cached).
//   npx --yes pnpm@10.34.8 bench:postgres [runs]
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseImageSubstitution } from '@spawnit/engine';
import { execa } from 'execa';
import { startApi } from '../tests/support/api.js';
import { freePort } from '../tests/support/free-port.js';
import { median, tofuEnv } from './support.js';

const runs = Number(process.argv[2] ?? 3);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DRIFT_INTERVAL_MS = 600_000; // far beyond the measure: what is seen comes from Docker's events

const prepared = await execa('bash', [path.join(repo, 'scripts/stack/prepare.sh')], { stderr: 'inherit' });
for (const line of prepared.stdout.split('\n')) {
  const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
  if (match) process.env[match[1] as string] = match[2];
}
const env = process.env as Record<string, string>;

/** Polls psql until the database answers; returns when it does. */
async function untilAccepting(port: number, user: string, password: string, database: string) {
  for (;;) {
    const r = await execa(
      'psql',
      ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', database, '-tAc', 'select 1'],
      {
        env: { PGPASSWORD: password, PGCONNECT_TIMEOUT: '2' },
        reject: false,
      },
    );
    if (r.stdout.trim() === '1') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const api = await startApi({
  driftIntervalMs: DRIFT_INTERVAL_MS,
  engine: {
    catalogDir: path.join(repo, 'catalog'),
    modulesDir: path.join(repo, 'modules'),
    providerMirror: env.SPAWNIT_PROVIDER_MIRROR,
    images: parseImageSubstitution(env.SPAWNIT_IMAGE_MAP),
    publishIp: '127.0.0.1',
  },
});
const token = await api.token('alice');
// biome-ignore lint/suspicious/noExplicitAny: a benchmark reads what it asked for
async function run(query: string, variables?: Record<string, unknown>): Promise<any> {
  const { body } = await api.gql(token, query, variables);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}
async function settle(id: string) {
  for (;;) {
    const { job } = await run('query ($id: ID!) { job(id: $id) { state error } }', { id });
    if (job.state === 'SUCCEEDED') return;
    if (['FAILED', 'CANCELLED'].includes(job.state)) throw new Error(`job ${id}: ${job.state} ${job.error}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
async function planApply(plan: string, apply: string, vars: Record<string, unknown>) {
  const planned = Object.values(await run(plan, vars))[0] as { id: string };
  await settle(planned.id);
  const applied = Object.values(await run(apply, { ...vars, plan: planned.id }))[0] as { id: string };
  await settle(applied.id);
}

const scratch = path.join(api.h.dataDir, 'by-hand');
try {
  await run('mutation { createNetwork(input: { networkName: "bench" }) { __typename } }');
  await planApply(
    'mutation { planNetwork(provider: LOCAL, name: "bench") { id } }',
    'mutation ($plan: ID!) { applyNetwork(provider: LOCAL, name: "bench", planJobId: $plan) { id } }',
    {},
  );
  const clientId = (await run('{ me { clientId } }')).me.clientId as string;

  const viaApi: number[] = [];
  const byHand: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Through the API: the network check, init, plan, show, apply, as a user's click does.
    const id = `pg-${i}`;
    const port = await freePort();
    await run('mutation ($input: CreateServiceInput!) { createService(input: $input) { __typename } }', {
      input: {
        serviceId: id,
        templateId: 'postgresql',
        networkName: 'bench',
        params: { port, password: 'bench-password-123' },
      },
    });
    let t = performance.now();
    await planApply(
      'mutation ($id: ID!) { planService(id: $id) { id } }',
      'mutation ($id: ID!, $plan: ID!) { applyService(id: $id, planJobId: $plan) { id } }',
      { id },
    );
    await untilAccepting(port, 'app', 'bench-password-123', 'app');
    viaApi.push((performance.now() - t) / 1000);

    // By hand: the same root module and variables, local state, in a fresh folder.
    const resolved = await api.h.engine.resolve({ clientId, serviceId: id });
    const workdir = resolved.workdir;
    const dir = path.join(scratch, `hand-${i}`);
    await mkdir(dir, { recursive: true });
    const root = JSON.parse(await readFile(path.join(workdir, 'main.tf.json'), 'utf8'));
    delete root.terraform.backend;
    root.module.this.source = path.relative(dir, path.resolve(workdir, root.module.this.source));
    // The working directory holds the variables only while a step runs; the engine opens the sealed copy.
    const tfvars = JSON.parse(resolved.tfvarsBody.toString('utf8'));
    const handPort = await freePort();
    tfvars.context.service_id = `hand-${i}`;
    tfvars.params.port = handPort;
    await writeFile(path.join(dir, 'main.tf.json'), JSON.stringify(root));
    await writeFile(path.join(dir, 'terraform.tfvars.json'), JSON.stringify(tfvars));
    const tofu = (command: string, ...args: string[]) =>
      execa(api.h.engine.tofu.path, [command, '-input=false', '-no-color', ...args], {
        cwd: dir,
        env: tofuEnv(api.h.engine),
      });
    t = performance.now();
    await tofu('init');
    await tofu('plan', '-out=plan.tfplan');
    await tofu('apply', 'plan.tfplan');
    await untilAccepting(handPort, 'app', 'bench-password-123', 'app');
    byHand.push((performance.now() - t) / 1000);
    await tofu('destroy', '-auto-approve');
  }

  // Drift: how long after `docker stop` the status turns DRIFTED, and from Docker's first event to that status.
  const delays: number[] = [];
  const fromEvent: number[] = [];
  for (let i = 0; i < runs; i++) {
    const id = `pg-${i}`;
    const container = `spawnit-${clientId}-${id}`;
    const t = performance.now();
    await execa('docker', ['stop', container], { env: { DOCKER_HOST: env.DOCKER_HOST } });
    for (;;) {
      const { service } = await run('query ($id: ID!) { service(id: $id) { status { status } } }', { id });
      if (service.status?.status === 'DRIFTED') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    delays.push((performance.now() - t) / 1000);
    fromEvent.push((api.drift?.stats.lastEventCheckMs ?? Number.NaN) / 1000);
  }
  for (let i = 0; i < runs; i++) {
    const { destroyService } = await run('mutation ($id: ID!) { destroyService(id: $id) { id } }', {
      id: `pg-${i}`,
    });
    await settle(destroyService.id);
  }
  const { destroyNetwork } = await run('mutation { destroyNetwork(provider: LOCAL, name: "bench") { id } }');
  await settle(destroyNetwork.id);

  const fmt = (values: number[]) =>
    `median ${median(values).toFixed(1)} s (${values.map((v) => v.toFixed(1)).join(', ')})`;
  console.log(
    `PostgreSQL 17 (Debian-built image), ${runs} runs, ${api.h.engine.tofu.name} ${api.h.engine.tofu.version}:`,
  );
  console.log(`  planService -> applyService -> accepts connections, through the API: ${fmt(viaApi)}`);
  console.log(`  tofu init + plan + apply by hand -> accepts connections:             ${fmt(byHand)}`);
  console.log(`  ratio API / by hand: ${(median(viaApi) / median(byHand)).toFixed(2)}`);
  console.log(
    `  drift seen after docker stop, interval ${DRIFT_INTERVAL_MS / 1000} s (Docker events): ${fmt(delays)}`,
  );
  console.log(`    of which from Docker's first event to the DRIFTED status:             ${fmt(fromEvent)}`);
  console.log(`    target (issue 13): under 2 s, whatever the interval`);
} finally {
  await api.close();
  await rm(scratch, { recursive: true, force: true });
}
