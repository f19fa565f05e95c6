import type { Server } from 'node:http';
import type { ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { AuthError, type TokenVerifier } from './auth/verify-token.js';
import { authorizationOf } from './context.js';

/** The parts of one envelop execution that graphql-ws calls back into. */
interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

// graphql-ws closes with 4403 on its own; 4401 tells a client to get a new token rather than give up.
const CLOSE_CODES = { 401: 4401, 403: 4403, 503: 4503 } as const;

export interface GraphqlWsServer {
  /** Closes every socket (their subscriptions end) and stops accepting new ones. */
  close(): Promise<void>;
}

/**
 * graphql-ws on the same HTTP server and path as Yoga, following Yoga's recipe: each subscribe goes
 * through `yoga.getEnveloped`, so it gets the same context (token check included), validation limits
 * and error masking as HTTP. The token comes in `connectionParams.authorization` and is checked at
 * `connection_init` and again at each subscribe (it may have expired since).
 */
export function attachGraphqlWs(options: {
  server: Server;
  // biome-ignore lint/suspicious/noExplicitAny: the Yoga instance's context types do not matter here
  yoga: YogaServerInstance<any, any>;
  verifier: TokenVerifier;
  maxPayloadBytes: number;
  /** The same masking as Yoga's, for errors thrown before execution (parse, limits, a refused token). */
  maskError: (error: unknown) => GraphQLError;
}): GraphqlWsServer {
  const { yoga, verifier } = options;
  const wss = new WebSocketServer({
    server: options.server,
    path: yoga.graphqlEndpoint,
    maxPayload: options.maxPayloadBytes,
  });
  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
      async onConnect(ctx) {
        try {
          await verifier.verify(authorizationOf({ connectionParams: ctx.connectionParams }));
          return true;
        } catch (error) {
          const refusal =
            error instanceof AuthError ? error : new AuthError('UNAUTHENTICATED', 'The token is not valid.');
          // A close reason holds at most 123 bytes.
          ctx.extra.socket.close(CLOSE_CODES[refusal.status], refusal.message.slice(0, 120));
          return false;
        }
      },
      async onSubscribe(ctx, _id, payload) {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
        });
        try {
          const document = parse(payload.query);
          const errors = validate(schema, document);
          if (errors.length > 0) return errors;
          const args: ExecutionArgs = {
            schema,
            operationName: payload.operationName,
            document,
            variableValues: payload.variables,
            contextValue: await contextFactory(),
            rootValue: { execute, subscribe } satisfies EnvelopedRoot,
          };
          return args;
        } catch (error) {
          // Parse errors, limits and a refused token: the masked error, sent for this subscription only.
          return [options.maskError(error)];
        }
      },
    },
    wss,
  );
  return {
    async close() {
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
