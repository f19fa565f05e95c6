import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApi } from '../support/api.js';

// The whole API flow once with versitygw under the engine: network, service, plan, apply, outputs, destroy,
// through GraphQL over the real socket, with tofu's state and lockfile on a server we did not write.

interface Job {
  id: string;
  state: string;
  planStatus: string | null;
  error: string | null;
  summary: { add: number; change: number; destroy: number } | null;
}
const JOB_FIELDS = 'id state planStatus error summary { add change destroy }';

let api: ApiHarness;
let token: string;

beforeAll(async () => {
  api = await startApi({ s3: 'versitygw' });
  token = await api.token('alice');
});
afterAll(async () => {
  await api?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: the data has the shape of each query, checked by the assertions
async function run<T = Record<string, any>>(query: string, variables?: Record<string, unknown>) {
  const { status, body } = await api.gql<T>(token, query, variables, 'http');
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  expect(status).toBe(200);
  return body.data as T;
}

/** Follows a job over SSE to its end; fails unless it succeeded. */
async function succeeded(jobId: string): Promise<Job> {
  const { events, completed } = await api.sse<{ jobUpdated: Job }>(
    token,
    `subscription ($id: ID!) { jobUpdated(jobId: $id) { ${JOB_FIELDS} } }`,
    { id: jobId },
  );
  expect(completed).toBe(true);
  const job = events.at(-1)!.data!.jobUpdated;
  expect(job.state, job.error ?? '').toBe('SUCCEEDED');
  return job;
}

const readdirAll = () => readdir(api.h.s3.directory, { recursive: true, withFileTypes: true });

/** Every file under the posix backend's folder, relative to it: what versitygw holds on disk. */
async function filesOnVersitygw(): Promise<string[]> {
  // The engine may delete a folder (an ended job's marker) while the walk is in it: walk again then.
  let entries: Awaited<ReturnType<typeof readdirAll>> | undefined;
  for (let attempt = 0; entries === undefined; attempt++) {
    entries = await readdirAll().catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT' || attempt >= 4) throw error;
      return undefined;
    });
  }
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(api.h.s3.directory, path.join(e.parentPath, e.name)));
}

describe('the API flow on versitygw', () => {
  it('runs on versitygw, with the S3 lockfile on', () => {
    expect(api.h.s3).toHaveProperty('startMs');
    expect(api.h.engine.useLockfile).toBe(true);
    expect(api.h.engine.warnings).toEqual([]);
  });

  it('creates, plans and applies the network', async () => {
    await run('mutation { createNetwork(input: { networkName: "default" }) { __typename } }');
    const { planNetwork } = await run(`mutation { planNetwork(provider: LOCAL, name: "default") { id } }`);
    expect(await succeeded(planNetwork.id)).toMatchObject({ planStatus: 'DRIFTED', summary: { add: 1 } });
    const { applyNetwork } = await run(
      `mutation ($id: ID!) { applyNetwork(provider: LOCAL, name: "default", planJobId: $id) { id } }`,
      { id: planNetwork.id },
    );
    await succeeded(applyNetwork.id);
    expect((await run('{ networks { name deployed } }')).networks).toEqual([
      { name: 'default', deployed: true },
    ]);
  });

  it('creates, plans and applies a service; its outputs come from the state on versitygw', async () => {
    const { createService } = await run(
      `mutation ($input: CreateServiceInput!) {
        createService(input: $input) { __typename ... on Service { id deployed } }
      }`,
      { input: { serviceId: 'web', templateId: 'echo', params: { message: 'hello versitygw' } } },
    );
    expect(createService).toEqual({ __typename: 'Service', id: 'web', deployed: false });
    const { planService } = await run('mutation { planService(id: "web") { id } }');
    expect(await succeeded(planService.id)).toMatchObject({ planStatus: 'DRIFTED', summary: { add: 1 } });
    const { applyService } = await run(
      `mutation ($id: ID!) { applyService(id: "web", planJobId: $id) { id } }`,
      { id: planService.id },
    );
    expect(await succeeded(applyService.id)).toMatchObject({ summary: { add: 1 } });

    const { service } = await run(`{
      service(id: "web") { deployed status { status } outputs(reveal: true) { name value } }
    }`);
    expect(service.deployed).toBe(true);
    expect(service.status).toEqual({ status: 'COMPLIANT' });
    const outputs = Object.fromEntries(
      service.outputs.map((o: { name: string; value: unknown }) => [o.name, o.value]),
    );
    expect(outputs).toMatchObject({ greeting: 'hello versitygw', port: 8080 });
    expect(outputs.password).toMatch(/^[A-Za-z0-9]{20}$/);

    // The state lives in versitygw's posix folder, and no lockfile was left behind.
    const files = await filesOnVersitygw();
    const state = files.find((f) => f.endsWith('/services/web/terraform.tfstate'));
    expect(state, files.join('\n')).toBeDefined();
    expect(files.filter((f) => f.endsWith('.tflock'))).toEqual([]);
  });

  it('destroys and deletes the service, then the network', async () => {
    const { destroyService } = await run('mutation { destroyService(id: "web") { id } }');
    expect(await succeeded(destroyService.id)).toMatchObject({ summary: { destroy: 1 } });
    expect((await run('mutation { deleteService(id: "web") }')).deleteService).toBe('web');
    const { destroyNetwork } = await run(
      'mutation { destroyNetwork(provider: LOCAL, name: "default") { id } }',
    );
    await succeeded(destroyNetwork.id);
    expect((await run('mutation { deleteNetwork(provider: LOCAL, name: "default") }')).deleteNetwork).toBe(
      'default',
    );
    expect(await run('{ services { id } networks { name } }')).toEqual({ services: [], networks: [] });
    const files = await filesOnVersitygw();
    expect(files.filter((f) => /\/services\/web\//.test(f))).toEqual([]);
  });
});
