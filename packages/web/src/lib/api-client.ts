import {
  Client,
  type CombinedError,
  cacheExchange,
  fetchExchange,
  mapExchange,
  subscriptionExchange,
} from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';
import type { Auth } from './auth';
import { apiEndpoints, type RuntimeConfig } from './runtime-config';

export interface ApiClient {
  client: Client;
  /** Closes the WebSocket. */
  dispose(): void;
  /**
   * Reconnects the WebSocket with the current token; its subscriptions resume on the new connection. For a
   * renewed token: the API ends a socket's subscriptions when the token it connected with expires.
   */
  reconnect(): void;
}

/** The API refused the token (missing, expired, revoked): signing in again is the fix. */
const isUnauthenticated = (error: CombinedError) =>
  error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') ||
  (error.response as Response | undefined)?.status === 401;

/**
 * One urql client per signed-in session: queries and mutations over HTTP POST, subscriptions over graphql-ws
 * on the same path, the bearer token on both.
 */
export function createApiClient(config: RuntimeConfig, auth: Auth): ApiClient {
  const endpoints = apiEndpoints(config);
  const authorization = () => {
    const token = auth.accessToken();
    return token ? `Bearer ${token}` : '';
  };
  let socket: WebSocket | undefined;
  const ws = createWsClient({
    url: endpoints.ws,
    // Read at every (re)connection, so a reconnect never sends a token that was replaced.
    connectionParams: () => ({ authorization: authorization() }),
    lazy: true,
    retryAttempts: 8,
    on: {
      connected: (connected) => {
        socket = connected as WebSocket;
      },
      closed: () => {
        socket = undefined;
      },
    },
  });
  // graphql-ws's "client restart": a close with a code of its own is retried, and subscriptions resume.
  const reconnect = () => {
    if (socket?.readyState === WebSocket.OPEN) socket.close(4205, 'Client restart: token renewed');
  };
  const client = new Client({
    url: endpoints.http,
    // GET requests would need the CSRF header; POST with a JSON body is what the API expects from browsers.
    preferGetMethod: false,
    fetchOptions: () => ({ headers: { authorization: authorization() } }),
    exchanges: [
      mapExchange({
        onError(error, operation) {
          if (!isUnauthenticated(error)) return;
          // A subscription begun on a token since renewed ended with it: resume it on a new connection.
          if (operation.kind === 'subscription' && auth.accessToken() && !auth.isExpired()) reconnect();
          else auth.expire('The API did not accept your session. Sign in again.');
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return { client, dispose: () => void ws.dispose(), reconnect };
}
