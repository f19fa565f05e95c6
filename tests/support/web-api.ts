import { fetchAccessToken } from '@spawnit/embedded';
import { expect } from 'vitest';
import { USERS, type Username } from './api.js';
import { waitFor } from './gate.js';
import type { WebStack } from './web.js';

/** GraphQL against a web stack's API as one of the test users, to set a scene before the browser looks at it. */
export async function webApiAs(stack: WebStack, user: Exclude<Username, 'admin'>) {
  const config = (await (await fetch(`${stack.origin}/config.json`)).json()) as { oidc: { issuer: string } };
  const { accessToken } = await fetchAccessToken({
    issuer: config.oidc.issuer,
    username: user,
    password: USERS[user],
  });

  // biome-ignore lint/suspicious/noExplicitAny: the data has the shape of each query
  async function gql(query: string, variables?: Record<string, unknown>): Promise<any> {
    const response = await fetch(`${stack.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data: unknown; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data;
  }

  /** Waits for a job's final state and returns it. */
  async function settle(id: string): Promise<string> {
    return waitFor(async () => {
      const { job } = await gql('query ($id: ID!) { job(id: $id) { state } }', { id });
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.state) ? job.state : undefined;
    }, `job ${id}`);
  }

  /** Creates and applies the local network "default". */
  async function deployNetwork(): Promise<void> {
    await gql('mutation { createNetwork(input: { networkName: "default" }) { __typename } }');
    const plan = (await gql('mutation { planNetwork(provider: LOCAL, name: "default") { id } }')).planNetwork
      .id;
    await settle(plan);
    const apply = await gql(
      'mutation ($p: ID!) { applyNetwork(provider: LOCAL, name: "default", planJobId: $p) { id } }',
      { p: plan },
    );
    await settle(apply.applyNetwork.id);
  }

  /** Plans a service and applies the plan; returns the plan job's id. */
  async function deployService(id: string): Promise<string> {
    const plan = (await gql('mutation ($id: ID!) { planService(id: $id) { id } }', { id })).planService.id;
    expect(await settle(plan)).toBe('SUCCEEDED');
    const apply = await gql('mutation ($id: ID!, $p: ID!) { applyService(id: $id, planJobId: $p) { id } }', {
      id,
      p: plan,
    });
    await settle(apply.applyService.id);
    return plan;
  }

  return { gql, settle, deployNetwork, deployService };
}
