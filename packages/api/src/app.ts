import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DriftLag, Engine, Operations } from '@spawnit/engine';
import { SpawnitError } from '@spawnit/engine';
import {
  createLogger,
  createYoga,
  type LogLevel,
  type YogaLogger,
  type YogaServerInstance,
} from 'graphql-yoga';
import { attachGraphqlWs, type GraphqlWsServer } from './attach-graphql-ws.js';
import { AuthError, type TokenVerifier } from './auth/verify-token.js';
import type { Context } from './builder.js';
import { PNPM } from './commands.js';
import { createContextFactory, type TransportContext } from './context.js';
import { isGraphQLError, toClientError, withoutHttpExtensions } from './errors.js';
import { schema } from './schema/index.js';
import { createWebHandler, type ServeWebOptions } from './serve-web.js';
import { DEFAULT_QUERY_LIMITS, type QueryLimits, useHardening } from './use-hardening.js';
import { useOperationLimits } from './use-operation-limits.js';
import {
  DEFAULT_SUBSCRIPTION_LIMITS,
  type SubscriptionLimits,
  useSubscriptionGuard,
} from './use-subscription-guard.js';

export interface AppOptions {
  engine: Engine;
  operations: Operations;
  /**
   * How late drift checks are, for `system { driftLag }`: the drift loop beside the API, or the workers' record
   * in PostgreSQL. @default none (driftLag is null)
   */
  drift?: DriftLag;
  /** Checks bearer tokens; see `createTokenVerifier`. */
  verifier: TokenVerifier;
  /**
   * GraphiQL, introspection, the landing page and field suggestions. Off in production.
   * @default false
   */
  development?: boolean;
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 4000 */
  port?: number;
  /** Depth, alias, cost, list cost, token and directive limits. @default DEFAULT_QUERY_LIMITS */
  limits?: Partial<QueryLimits>;
  /** Open subscriptions per user and per graphql-ws socket. @default DEFAULT_SUBSCRIPTION_LIMITS */
  subscriptionLimits?: Partial<SubscriptionLimits>;
  /**
   * How long a query or mutation may run; after it the client gets a `TIMEOUT` error and the operation's
   * remaining storage reads are refused. Subscriptions are not limited.
   * @default 10_000
   */
  operationTimeoutMs?: number;
  /** Largest HTTP request body and WebSocket message, in bytes. @default 102_400 */
  maxBodyBytes?: number;
  /**
   * Origins allowed to call the API from a browser (CORS).
   * @default any origin (tokens are sent explicitly, never as cookies)
   */
  corsOrigins?: string[];
  /** Where the API logs; unexpected errors are logged here in full and masked for clients. @default 'info' */
  logging?: LogLevel | YogaLogger;
  /** The web UI and its `/config.json`, served on every path but `/graphql` and `/health`. @default none */
  web?: Omit<ServeWebOptions, 'apiPaths'>;
}

export interface App {
  // biome-ignore lint/suspicious/noExplicitAny: Yoga's server context is the Node request pair
  readonly yoga: YogaServerInstance<any, Context>;
  readonly server: Server;
  /** The API's URL (`http://host:port/graphql`); throws before `start()`. */
  readonly url: string;
  /** Listens; resolves with the GraphQL URL. */
  start(): Promise<{ url: string }>;
  /** Ends subscriptions, closes sockets and stops listening. Stops neither the engine nor its jobs. */
  stop(): Promise<void>;
}

const GRAPHIQL_QUERY = `# Every operation needs a token. Get one with:
#   ${PNPM} -s token alice
# and set it in the Headers tab below: { "Authorization": "Bearer <token>" }
query Me {
  me { clientId username isAdmin }
  catalog { id name parameters { name type required secret } }
  services { id templateId status { status } }
}
`;

/** Errors that are the caller's doing, or the engine saying no: not worth an error log line. */
function isExpected(error: unknown): boolean {
  const original = isGraphQLError(error) ? (error.originalError ?? error) : error;
  return original instanceof SpawnitError || original instanceof AuthError || isGraphQLError(original);
}

function quietLogger(level: LogLevel | YogaLogger): YogaLogger {
  const base = typeof level === 'string' ? createLogger(level) : level;
  return {
    debug: (...args) => base.debug(...args),
    info: (...args) => base.info(...args),
    warn: (...args) => base.warn(...args),
    error: (...args) => {
      if (args.length === 1 && isExpected(args[0])) return;
      base.error(...args);
    },
  };
}

/**
 * Builds the API: Yoga with the Pothos schema on a Node HTTP server, and graphql-ws on the same path.
 * Opens no port until `start()`.
 */
export function buildApp(options: AppOptions): App {
  const development = options.development ?? false;
  const maxBodyBytes = options.maxBodyBytes ?? 102_400;
  const limits = { ...DEFAULT_QUERY_LIMITS, ...options.limits };
  const logger = quietLogger(options.logging ?? 'info');
  // Yoga logs what its masking replaced; graphql-ws errors before execution are logged here.
  const maskError = (error: unknown) => toClientError(error, () => undefined);
  const maskWsError = (error: unknown) => withoutHttpExtensions(toClientError(error, (e) => logger.error(e)));
  const context = createContextFactory(options);

  // biome-ignore lint/suspicious/noExplicitAny: see App.yoga
  const yoga: YogaServerInstance<any, Context> = createYoga<TransportContext, Context>({
    schema,
    context,
    logging: logger,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    maskedErrors: { maskError, isDev: false },
    graphiql: development ? { title: 'SpawnIt API', defaultQuery: GRAPHIQL_QUERY } : false,
    // GraphiQL's own assets, bundled (loaded on first use): the default page fetches them from a CDN, which
    // a machine without internet, or behind a strict proxy, cannot reach.
    renderGraphiQL: async (graphiqlOptions) =>
      (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(graphiqlOptions),
    landingPage: development,
    maxRequestBodySize: maxBodyBytes,
    batching: false,
    cors: options.corsOrigins ? { origin: options.corsOrigins, credentials: false } : undefined,
    plugins: [
      useHardening({ limits, development }),
      useOperationLimits({
        maxListCost: limits.maxListCost,
        timeoutMs: options.operationTimeoutMs ?? 10_000,
      }),
      useSubscriptionGuard({ ...DEFAULT_SUBSCRIPTION_LIMITS, ...options.subscriptionLimits }),
    ],
  });
  const serveWeb =
    options.web && createWebHandler({ ...options.web, apiPaths: [yoga.graphqlEndpoint, '/health'] });
  const server = createServer(serveWeb ? (req, res) => serveWeb(req, res) || yoga(req, res) : yoga);
  let ws: GraphqlWsServer | undefined;
  let url: string | undefined;

  return {
    yoga,
    server,
    get url() {
      if (!url) throw new Error('The API is not started: call start() first.');
      return url;
    },
    async start() {
      if (url) throw new Error(`The API is already listening at ${url}.`);
      ws = attachGraphqlWs({
        server,
        yoga,
        verifier: options.verifier,
        maxPayloadBytes: maxBodyBytes,
        maskError: maskWsError,
      });
      const host = options.host ?? '127.0.0.1';
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 4000, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const { port } = server.address() as AddressInfo;
      url = `http://${host.includes(':') ? `[${host}]` : host}:${port}${yoga.graphqlEndpoint}`;
      return { url };
    },
    async stop() {
      if (!url) return;
      url = undefined;
      await ws?.close();
      ws = undefined;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // SSE streams and keep-alive sockets would hold close() open.
      server.closeAllConnections();
      await closed;
    },
  };
}
