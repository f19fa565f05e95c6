import { request } from 'node:http';

/** What the Docker engine at a host answered. */
export interface DockerCheck {
  /** The host checked, as `DOCKER_HOST` gives it (`unix:///var/run/docker.sock` when unset). */
  host: string;
  reachable: boolean;
  /** The engine's version, when it answered. */
  version: string | undefined;
  /** Why it did not answer, in one sentence with what to do. */
  error: string | undefined;
}

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

/**
 * Asks the Docker engine for its version over its API (no docker CLI needed), as the docker provider reaches
 * it: a unix socket or plain tcp. Never throws; bounded by `timeoutMs`.
 */
export async function pingDocker(host: string = DEFAULT_DOCKER_HOST, timeoutMs = 3000): Promise<DockerCheck> {
  const fail = (why: string): DockerCheck => ({
    host,
    reachable: false,
    version: undefined,
    error: `Docker does not answer at ${host} (${why}): local services cannot run until it does; start Docker, or set DOCKER_HOST to the engine that runs them.`,
  });
  let target: { socketPath: string } | { host: string; port: number };
  if (host.startsWith('unix://')) target = { socketPath: host.slice('unix://'.length) };
  else if (/^tcp:\/\/[^/]+:\d+\/?$/.test(host)) {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    target = { host: url.hostname, port: Number(url.port) };
  } else {
    return {
      host,
      reachable: false,
      version: undefined,
      error: `DOCKER_HOST "${host}" was not checked: only unix:// and tcp:// hosts are.`,
    };
  }
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/version', method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve(fail(`HTTP ${res.statusCode}`));
        try {
          const version = (JSON.parse(body) as { Version?: string }).Version;
          resolve({ host, reachable: true, version, error: undefined });
        } catch {
          resolve(fail('its answer is not Docker'));
        }
      });
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(fail(`no answer in ${timeoutMs} ms`));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(fail(error.code ?? error.message)));
    req.end();
  });
}
