/**
 * The whole flow against a running `pnpm start`, over HTTP only (queries, mutations, and SSE for the logs):
 * token -> network -> create -> plan -> apply -> outputs -> destroy -> delete, printing each step.
 *
 *   SPAWNIT_CATALOG_DIR=tests/fixtures/catalog SPAWNIT_MODULES_DIR=tests/fixtures/modules npx --yes pnpm@10.34.8 start
 *   npx --yes pnpm@10.34.8 exec tsx packages/api/examples/flow.ts            # in another terminal
 *
 * Settings: SPAWNIT_API_URL (default http://127.0.0.1:$PORT/graphql), SPAWNIT_FLOW_USER (alice),
 * SPAWNIT_FLOW_TEMPLATE (echo) and SPAWNIT_FLOW_PARAMS (JSON, default {"message": "hello from the flow"}).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runApiTokenCommand } from '../src/token-command.js';

if (existsSync(path.join(process.cwd(), '.env'))) process.loadEnvFile(path.join(process.cwd(), '.env'));
const url = process.env.SPAWNIT_API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 4000}/graphql`;
const user = process.env.SPAWNIT_FLOW_USER ?? 'alice';
const templateId = process.env.SPAWNIT_FLOW_TEMPLATE ?? 'echo';
const params = JSON.parse(process.env.SPAWNIT_FLOW_PARAMS ?? '{"message": "hello from the flow"}');
const serviceId = `flow-${Date.now().toString(36)}`;
const started = Date.now();

const step = (text: string) =>
  process.stdout.write(`\n[${((Date.now() - started) / 1000).toFixed(1)} s] == ${text}\n`);
const say = (text: string) => process.stdout.write(`   ${text}\n`);

async function getToken(): Promise<string> {
  let out = '';
  let err = '';
  const code = await runApiTokenCommand([user], {
    env: process.env,
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    readPassword: async () => {
      throw new Error(`No password for ${user}: set SPAWNIT_PASSWORD.`);
    },
  });
  if (code !== 0) throw new Error(`The token command failed: ${err.trim()}`);
  return out.trim();
}

const token = await (async () => {
  step(`Token for ${user} (token command core, embedded or configured issuer)`);
  const value = await getToken();
  say(`${value.slice(0, 24)}... (${value.length} characters)`);
  return value;
})();

// biome-ignore lint/suspicious/noExplicitAny: a script printing what the API answers
async function gql(query: string, variables?: Record<string, unknown>): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(`${JSON.stringify(body.errors)}`);
  return body.data;
}

/** A subscription over SSE (plain fetch): calls `onEvent` for each result until the server completes it. */
// biome-ignore lint/suspicious/noExplicitAny: as for gql
async function subscribe(query: string, variables: Record<string, unknown>, onEvent: (data: any) => void) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block.startsWith('event: complete')) return;
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (data) {
        const result = JSON.parse(data);
        if (result.errors) throw new Error(JSON.stringify(result.errors));
        onEvent(result.data);
      }
    }
  }
}

/** Streams a job's log live, then returns its final state. */
async function follow(jobId: string) {
  await subscribe('subscription ($id: ID!) { jobLogs(jobId: $id) { n text } }', { id: jobId }, (data) =>
    say(`${String(data.jobLogs.n).padStart(3)} | ${data.jobLogs.text}`),
  );
  const { job } = await gql(
    'query ($id: ID!) { job(id: $id) { id kind state planStatus canApply error summary { add change destroy } } }',
    { id: jobId },
  );
  say(
    `=> job ${job.id} ${job.kind} ${job.state}${job.planStatus ? `, plan ${job.planStatus}` : ''}${job.summary ? ` (+${job.summary.add} ~${job.summary.change} -${job.summary.destroy})` : ''}`,
  );
  if (job.state !== 'SUCCEEDED') throw new Error(`Job ${job.id} ${job.state}: ${job.error}`);
  return job;
}

step(`Who am I (${url})`);
const { me, catalog } = await gql('{ me { clientId username isAdmin } catalog { id name } }');
say(`${me.username} (client id ${me.clientId})`);
say(`catalog: ${catalog.map((t: { id: string }) => t.id).join(', ')}`);

step('Network "default" (local)');
const { network } = await gql('{ network(provider: LOCAL, name: "default") { name deployed } }');
if (!network) {
  await gql('mutation { createNetwork(input: { networkName: "default" }) { __typename } }');
  say('created');
}
if (!network?.deployed) {
  const { planNetwork } = await gql('mutation { planNetwork(provider: LOCAL, name: "default") { id } }');
  const plan = await follow(planNetwork.id);
  if (plan.canApply) {
    const { applyNetwork } = await gql(
      'mutation ($id: ID!) { applyNetwork(provider: LOCAL, name: "default", planJobId: $id) { id } }',
      { id: plan.id },
    );
    await follow(applyNetwork.id);
  }
} else say('already deployed');

step(
  `Create service "${serviceId}" from template "${templateId}" (saves the configuration, deploys nothing)`,
);
const { createService } = await gql(
  `mutation ($input: CreateServiceInput!) {
    createService(input: $input) {
      __typename
      ... on Service { id params }
      ... on ValidationErrors { fieldErrors { field rule message } }
    }
  }`,
  { input: { serviceId, templateId, params } },
);
if (createService.__typename !== 'Service') throw new Error(JSON.stringify(createService.fieldErrors));
say(`params as the API shows them (secrets null): ${JSON.stringify(createService.params)}`);

step('Plan (log streamed live over SSE)');
const { planService } = await gql('mutation ($id: ID!) { planService(id: $id) { id } }', { id: serviceId });
const plan = await follow(planService.id);

step('Apply the plan just shown');
const { applyService } = await gql(
  'mutation ($id: ID!, $plan: ID!) { applyService(id: $id, planJobId: $plan) { id } }',
  {
    id: serviceId,
    plan: plan.id,
  },
);
await follow(applyService.id);

step('Status and outputs');
const { service } = await gql(
  'query ($id: ID!) { service(id: $id) { deployed status { status source } outputs { name sensitive value } } }',
  { id: serviceId },
);
say(`deployed: ${service.deployed}, status: ${service.status?.status} (from ${service.status?.source})`);
for (const output of service.outputs) {
  say(
    `${output.name} = ${output.sensitive ? '(sensitive; ask with reveal: true)' : JSON.stringify(output.value)}`,
  );
}

step('Destroy (a plan of the destruction, then its apply)');
const { destroyService } = await gql('mutation ($id: ID!) { destroyService(id: $id) { id } }', {
  id: serviceId,
});
await follow(destroyService.id);

step('Delete the configuration');
await gql('mutation ($id: ID!) { deleteService(id: $id) }', { id: serviceId });
const { services } = await gql('{ services { id } }');
say(`remaining services: ${services.map((s: { id: string }) => s.id).join(', ') || 'none'}`);

step(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
