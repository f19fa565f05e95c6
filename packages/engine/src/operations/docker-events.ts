import { type ClientRequest, request } from 'node:http';
import { DEFAULT_DOCKER_HOST } from '../preflight/ping-docker.js';

/** Container events that can mean a service no longer matches its state. */
export const DRIFT_EVENTS = ['die', 'destroy', 'update', 'stop', 'kill', 'rename', 'oom'] as const;

/** A container event of a container SpawnIt labelled. */
export interface ContainerEvent {
  action: string;
  containerId: string;
  /** The container's `spawnit-client` and `spawnit-service` labels. */
  clientId: string;
  serviceId: string;
  /** When Docker saw it, in nanoseconds since the epoch. */
  timeNano: bigint;
}

export interface WatchDockerEventsOptions {
  /** `unix:///path` or `tcp://host:port`, as `DOCKER_HOST`. @default DEFAULT_DOCKER_HOST */
  host?: string;
  onEvent: (event: ContainerEvent) => void;
  /** Called once per outage (stream refused or ended), not at every retry. */
  onDisconnect?: (error: Error) => void;
  /** Called when the stream is open (again). */
  onConnect?: () => void;
  /** First wait before reconnecting, doubled at each failure up to `maxBackoffMs`. @default 500 */
  minBackoffMs?: number;
  /** @default 30_000 */
  maxBackoffMs?: number;
}

export interface DockerEventWatch {
  /** Closes the stream and stops reconnecting. */
  stop(): void;
}

/** The http target of a Docker host, or an error saying which hosts are supported. */
function targetOf(host: string): { socketPath: string } | { host: string; port: number } {
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (/^tcp:\/\/[^/]+:\d+\/?$/.test(host)) {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    return { host: url.hostname, port: Number(url.port) };
  }
  throw new Error(`DOCKER_HOST "${host}" is not watched for events: only unix:// and tcp:// hosts are.`);
}

/**
 * Follows the Docker engine's event stream (`GET /events`) for containers SpawnIt labelled (`managed-by=
 * spawnit`) and reports those that can be drift. Reconnects with backoff when the stream ends, asking for
 * the events since the last one seen, so an engine restart loses none; never throws when Docker is absent.
 */
export function watchDockerEvents(options: WatchDockerEventsOptions): DockerEventWatch {
  const host = options.host || DEFAULT_DOCKER_HOST;
  const minBackoff = options.minBackoffMs ?? 500;
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let target: ReturnType<typeof targetOf>;
  try {
    target = targetOf(host);
  } catch (error) {
    options.onDisconnect?.(error as Error);
    return { stop() {} };
  }
  const filters = JSON.stringify({
    type: ['container'],
    event: [...DRIFT_EVENTS],
    label: ['managed-by=spawnit'],
  });
  let stopped = false;
  let current: ClientRequest | undefined;
  let retry: NodeJS.Timeout | undefined;
  let backoff = minBackoff;
  let connected = true; // so the first failure is reported
  let sinceSeconds: string | undefined;

  const handleLine = (line: string) => {
    if (!line.trim()) return;
    let event: {
      Action?: string;
      timeNano?: number;
      time?: number;
      Actor?: { ID?: string; Attributes?: Record<string, string> };
    };
    try {
      event = JSON.parse(line);
    } catch {
      return;
    }
    const attributes = event.Actor?.Attributes ?? {};
    // JSON numbers lose the last digits of timeNano; seconds are enough to resume from.
    if (event.time) sinceSeconds = String(event.time);
    const clientId = attributes['spawnit-client'];
    const serviceId = attributes['spawnit-service'];
    if (!event.Action || !clientId || !serviceId) return;
    options.onEvent({
      action: event.Action.split(':')[0]!,
      containerId: event.Actor?.ID ?? '',
      clientId,
      serviceId,
      timeNano: BigInt(Math.round(event.timeNano ?? (event.time ?? 0) * 1e9)),
    });
  };

  const fail = (error: Error) => {
    current = undefined;
    if (stopped) return;
    if (connected) options.onDisconnect?.(error);
    connected = false;
    retry = setTimeout(connect, backoff);
    retry.unref?.();
    backoff = Math.min(maxBackoff, backoff * 2);
  };

  function connect(): void {
    if (stopped) return;
    let ended = false;
    // A stream can end with both `end` and `error`: reconnect once.
    const failOnce = (error: Error) => {
      if (ended) return;
      ended = true;
      fail(error);
    };
    const query = new URLSearchParams({ filters });
    if (sinceSeconds) query.set('since', sinceSeconds);
    const req = request({ ...target, path: `/events?${query}`, method: 'GET' }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        failOnce(new Error(`Docker at ${host} answered HTTP ${res.statusCode} to GET /events`));
        return;
      }
      connected = true;
      backoff = minBackoff;
      // From now on, a reconnection asks for what it missed.
      sinceSeconds ??= String(Math.floor(Date.now() / 1000));
      options.onConnect?.();
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n');
        while (end >= 0) {
          handleLine(buffer.slice(0, end));
          buffer = buffer.slice(end + 1);
          end = buffer.indexOf('\n');
        }
      });
      res.on('end', () => failOnce(new Error(`Docker at ${host} closed its event stream`)));
      res.on('error', failOnce);
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      failOnce(
        new Error(`Docker does not answer at ${host} (${error.code ?? error.message})`, { cause: error }),
      ),
    );
    req.end();
    current = req;
  }

  connect();
  return {
    stop() {
      stopped = true;
      clearTimeout(retry);
      current?.destroy();
      current = undefined;
    },
  };
}
