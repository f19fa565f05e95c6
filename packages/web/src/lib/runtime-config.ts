/**
 * What the server tells the UI at `/config.json`: where the API is and which OIDC issuer and client to sign
 * in with. Read at start, so one build runs against any deployment (the API serves it, and so does the
 * frontend image's nginx).
 */
export interface RuntimeConfig {
  /** A path on this origin (`/graphql`) or a URL. */
  apiUrl: string;
  oidc: { issuer: string; clientId: string };
}

export async function fetchRuntimeConfig(): Promise<RuntimeConfig> {
  let response: Response;
  try {
    response = await fetch('/config.json', { headers: { accept: 'application/json' }, cache: 'no-store' });
  } catch (cause) {
    throw new Error('Cannot reach the SpawnIt server to read /config.json. Is it running?', { cause });
  }
  if (!response.ok) throw new Error(`The server answered ${response.status} for /config.json.`);
  const config = (await response.json()) as Partial<RuntimeConfig>;
  if (typeof config.apiUrl !== 'string' || !config.oidc?.issuer || !config.oidc.clientId) {
    throw new Error('/config.json lacks apiUrl, oidc.issuer or oidc.clientId; check the server settings.');
  }
  return config as RuntimeConfig;
}

/** The API's HTTP and WebSocket URLs, from `apiUrl` (relative to this page's origin). */
export function apiEndpoints(config: RuntimeConfig): { http: string; ws: string } {
  const http = new URL(config.apiUrl, window.location.href);
  const ws = new URL(http);
  ws.protocol = http.protocol === 'https:' ? 'wss:' : 'ws:';
  return { http: http.href, ws: ws.href };
}
