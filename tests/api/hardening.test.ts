import { type App, buildApp, createTokenVerifier } from '@spawnit/api';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ApiHarness, collectWs, startApi } from '../support/api.js';

let api: ApiHarness;
let token: string;
let production: App;

beforeAll(async () => {
  api = await startApi();
  token = await api.token('alice');
  production = buildApp({
    engine: api.h.engine,
    operations: api.operations,
    verifier: createTokenVerifier({ issuer: api.issuer }),
    development: false,
    port: 0,
    logging: 'warn',
  });
  await production.start();
});
afterAll(async () => {
  await production?.stop();
  await api?.close();
});

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body,
  });

describe('limits', () => {
  it('refuses a query deeper than the depth limit, over HTTP and graphql-ws', async () => {
    const query =
      '{ services { network { services { network { services { network { services { network { services { network { services { network { services { id } } } } } } } } } } } } } }';
    const { body } = await api.gql(token, query);
    expect(body).toEqual({
      errors: [{ message: expect.stringMatching(/Query depth limit of 12 exceeded/) }],
    });
    const ws = await collectWs(api.ws(token), query);
    expect(JSON.stringify(ws.error)).toMatch(/Query depth limit of 12 exceeded/);
  });

  it('refuses too many aliases', async () => {
    const query = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: me { clientId }`).join(' ')} }`;
    const { body } = await api.gql(token, query);
    expect(body.errors?.[0]?.message).toMatch(/Aliases limit of 15 exceeded/);
  });

  it('refuses a query above the cost limit', async () => {
    // Within the depth, alias and token limits, but 15 times a wide selection four levels down.
    const job =
      'jobs { id state log { n text } summary { resources { address actions } drift { address actions } } }';
    const wide = `services { ${job} network { ${job} services { ${job} network { ${job} } } } }`;
    const query = `{ ${Array.from({ length: 15 }, (_, i) => `a${i}: ${wide}`).join(' ')} }`;
    const { body } = await api.gql(token, query);
    expect(body.errors?.map((e) => e.message).join(' ')).toMatch(/Query Cost limit of 5000 exceeded/);
  });

  it('refuses a document with too many tokens, and a body over the size limit', async () => {
    const query = `{ me { ${'clientId '.repeat(2100)} } }`;
    const { body } = await api.gql(token, query);
    expect(body.errors?.[0]?.message).toMatch(/Token limit of 2000 exceeded/);
    const big = await post(
      api.url,
      JSON.stringify({ query: '{ me { clientId } }', variables: { pad: 'x'.repeat(200_000) } }),
    );
    expect(big.status).toBe(413);
  });
});

describe('CSRF, introspection, GraphiQL and error masking', () => {
  it('refuses a GET without the CSRF header (a browser could send it cross-site)', async () => {
    const url = `${api.url}?query=${encodeURIComponent('{ me { username } }')}`;
    const bare = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(bare.status).toBe(403);
    const withHeader = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, 'x-graphql-yoga-csrf': '1' },
    });
    expect(await withHeader.json()).toEqual({ data: { me: { username: 'alice' } } });
  });

  it('development serves GraphiQL and introspection; production neither, nor field suggestions', async () => {
    const page = await fetch(api.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('SpawnIt API');
    // Served whole from here: no script or stylesheet from a CDN, so it works without internet.
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=["']?https?:/i);
    expect(html).not.toContain('unpkg.com');
    const introspection = '{ __schema { queryType { name } } }';
    expect((await api.gql(token, introspection)).body.data).toEqual({
      __schema: { queryType: { name: 'Query' } },
    });

    const noPage = await fetch(production.url, { headers: { accept: 'text/html' } });
    expect(await noPage.text()).not.toContain('SpawnIt API');
    const refused = await (await post(production.url, JSON.stringify({ query: introspection }))).json();
    expect(refused.errors[0].message).toMatch(/introspection/i);
    const typoInDev = await api.gql(token, '{ servics { id } }');
    expect(typoInDev.body.errors?.[0]?.message).toMatch(/Did you mean "service" or "services"\?/);
    // Another typo: Yoga caches validation results per schema, and both apps share it.
    const typo = await (await post(production.url, JSON.stringify({ query: '{ servces { id } }' }))).json();
    expect(typo.errors[0].message).toBe('Cannot query field "servces" on type "Query". [Suggestion hidden]');
  });

  it('production refuses introspection and hides suggestions over HTTP, SSE and graphql-ws alike', async () => {
    const ws = createClient({
      url: production.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    try {
      // A different document per transport: a cached validation result must not decide for another.
      const introspections = {
        http: '{ __schema { queryType { name } } }',
        sse: '{ __schema { mutationType { name } } }',
        ws: '{ __schema { subscriptionType { name } } }',
      };
      const typos = { http: '{ servicse { id } }', sse: '{ servicez { id } }', ws: '{ srvices { id } }' };
      const viaSse = async (query: string) => {
        const response = await post(production.url, JSON.stringify({ query }), {
          accept: 'text/event-stream',
        });
        const text = await response.text();
        const data = /^data: ?(.*)$/m.exec(text)?.[1];
        return data ? JSON.parse(data) : JSON.parse(text);
      };
      const viaWs = async (query: string) => {
        const { results, error } = await collectWs(ws, query);
        return error ? { errors: error } : results[0];
      };
      const viaHttp = async (query: string) => (await post(production.url, JSON.stringify({ query }))).json();
      for (const [transport, send] of [
        ['http', viaHttp],
        ['sse', viaSse],
        ['ws', viaWs],
      ] as const) {
        const introspection = await send(introspections[transport]);
        expect(introspection.data ?? undefined, transport).toBeUndefined();
        expect(JSON.stringify(introspection.errors), transport).toMatch(/introspection/i);
        const typo = await send(typos[transport]);
        expect(typo.errors?.[0]?.message, transport).toMatch(/\[Suggestion hidden\]$/);
        expect(JSON.stringify(typo), transport).not.toMatch(/Did you mean/);
      }
    } finally {
      await ws.dispose();
    }
  });

  it('answers the health check without a token', async () => {
    const health = await fetch(api.url.replace('/graphql', '/health'));
    expect(health.status).toBe(200);
  });

  it('sends engine errors with their code and never a stack', async () => {
    const { body } = await api.gql(
      token,
      'mutation { planService(id: "Not_Valid") { id } }',
      undefined,
      'http',
    );
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_ID', field: 'serviceId' } });
    expect(JSON.stringify(body)).not.toMatch(/stack|\.ts:\d+|node_modules/);
  });
});
