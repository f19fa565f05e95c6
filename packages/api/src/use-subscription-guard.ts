import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin, Repeater } from 'graphql-yoga';
import type { Context } from './builder.js';
import { apiError } from './errors.js';

/** How many subscriptions may be open at once. */
export interface SubscriptionLimits {
  /** Per user (token subject), over every transport and socket. @default 20 */
  perUser: number;
  /** Per graphql-ws socket. @default 10 */
  perSocket: number;
}

export const DEFAULT_SUBSCRIPTION_LIMITS: SubscriptionLimits = { perUser: 20, perSocket: 10 };

// setTimeout fires at once beyond 2^31-1 ms; a longer wait is re-armed.
const MAX_TIMER_MS = 2_147_483_647;

/** The last result a subscription sends when its token expires. */
export function expiredResult(): ExecutionResult {
  return { errors: [apiError('UNAUTHENTICATED', 'Your sign-in expired: sign in again.')] };
}

/**
 * Ends `source` when `expiresAt` passes, with `expiredResult()` as its last result: checked by a timer (a quiet
 * subscription ends on time) and before each event (a late timer never lets one through).
 */
export function endAtExpiry<T>(
  source: AsyncIterable<T>,
  expiresAt: Date,
  onEnd: () => void,
): AsyncIterable<T | ExecutionResult> {
  return new Repeater<T | ExecutionResult>(async (push, stop) => {
    const iterator = source[Symbol.asyncIterator]();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      const arm = () => {
        const left = expiresAt.getTime() - Date.now();
        if (left <= 0) resolve('expired');
        else timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      };
      arm();
    });
    const stopped = stop.then(() => 'stopped' as const);
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), expired, stopped]);
        if (next === 'stopped') break;
        if (next === 'expired' || Date.now() >= expiresAt.getTime()) {
          await push(expiredResult());
          break;
        }
        if (next.done) break;
        await push(next.value);
      }
    } finally {
      clearTimeout(timer);
      onEnd();
      stop();
      // The source's listeners go with it; not awaited: a source blocked on its next event would hold us.
      void iterator.return?.()?.catch(() => undefined);
    }
  });
}

/**
 * Subscriptions that end with their authorisation, and a cap on how many are open: a token's expiry ends
 * each subscription it opened (over SSE and graphql-ws, which both subscribe through this envelop), and a
 * user or a socket over its limit is refused with the limit named.
 */
export function useSubscriptionGuard(limits: SubscriptionLimits): Plugin<Context> {
  const perUser = new Map<string, number>();
  const perSocket = new WeakMap<object, number>();
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      const context = args.contextValue as Context & { socket?: object };
      const { clientId, expiresAt } = context.viewer;
      const socket = context.socket;
      const userCount = perUser.get(clientId) ?? 0;
      const socketCount = socket ? (perSocket.get(socket) ?? 0) : 0;
      if (userCount >= limits.perUser) {
        setResultAndStopExecution({
          errors: [
            apiError(
              'LIMIT_EXCEEDED',
              `You have ${userCount} subscriptions open, the most allowed per user (SPAWNIT_MAX_SUBSCRIPTIONS_PER_USER=${limits.perUser}): close one first.`,
            ),
          ],
        });
        return;
      }
      if (socket && socketCount >= limits.perSocket) {
        setResultAndStopExecution({
          errors: [
            apiError(
              'LIMIT_EXCEEDED',
              `This connection has ${socketCount} subscriptions open, the most allowed per socket (SPAWNIT_MAX_SUBSCRIPTIONS_PER_SOCKET=${limits.perSocket}): close one or open another connection.`,
            ),
          ],
        });
        return;
      }
      perUser.set(clientId, userCount + 1);
      if (socket) perSocket.set(socket, socketCount + 1);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const left = (perUser.get(clientId) ?? 1) - 1;
        if (left > 0) perUser.set(clientId, left);
        else perUser.delete(clientId);
        if (socket) perSocket.set(socket, Math.max((perSocket.get(socket) ?? 1) - 1, 0));
      };
      return {
        onSubscribeResult({ result, setResult }) {
          if (!isAsyncIterable(result)) return release();
          setResult(endAtExpiry(result, expiresAt, release) as AsyncIterableIterator<ExecutionResult>);
        },
        onSubscribeError: release,
      };
    },
  };
}
