import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { REPO_ROOT } from './config.js';

/**
 * What the web UI reads at `/config.json` before anything else. The same shape the frontend image's nginx
 * serves (bootstrap/images/frontend.nginx.conf.template), so one build of the UI runs behind either.
 */
export interface WebConfig {
  /** Where the UI sends GraphQL requests and opens graphql-ws: a path on the same origin, or a URL. */
  apiUrl: string;
  oidc: {
    /** The OIDC issuer the UI signs in with (authorization code + PKCE). */
    issuer: string;
    /** The UI's public client at that issuer. */
    clientId: string;
  };
}

export interface ServeWebOptions {
  /** The Vite build of `packages/web` (holds `index.html` and `assets/`). */
  distDir: string;
  config: WebConfig;
  /** Paths left to the API (GraphQL, health); every other GET is the UI's. */
  apiPaths: string[];
  /**
   * The catalog's template icons (`<catalog>/icons/<icon>.svg`), served at `/icons/<icon>.svg`.
   * @default none (the UI then draws each template's initials)
   */
  iconsDir?: string;
}

/** An icon name as templates give it: `postgresql`, `uptime-kuma`. */
const ICON_PATH = /^\/icons\/([a-z0-9][a-z0-9-]{0,63})\.svg$/;

/** The UI's build, where `pnpm install` puts it (`packages/web` builds itself in `postinstall`). */
export const WEB_DIST_DIR = path.join(REPO_ROOT, 'packages/web/dist');

/** The web UI's client id at an external issuer (Keycloak): `SPAWNIT_OIDC_CLIENT_ID`. @default 'spawnit-web' */
export const webClientIdOf = (env: Record<string, string | undefined> = process.env) =>
  env.SPAWNIT_OIDC_CLIENT_ID?.trim() || 'spawnit-web';

/**
 * The redirect URIs the OIDC client of a UI served on this port must accept: both loopback names (a user
 * types either), and Vite's dev server (`pnpm --filter @spawnit/web dev`, which proxies to the API).
 */
export function webRedirectUris(port: number): string[] {
  return [
    `http://127.0.0.1:${port}/callback`,
    `http://localhost:${port}/callback`,
    'http://127.0.0.1:5173/callback',
    'http://localhost:5173/callback',
  ];
}

/** Whether `dir` holds a built UI. */
export const isWebBuilt = (dir: string) => existsSync(path.join(dir, 'index.html'));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves the built UI and its `/config.json`: files from `distDir` with their content type, `index.html`
 * for any other path (the router in the page handles it), nothing outside `distDir`. Returns whether it
 * took the request; requests it does not take (API paths, other methods) are left to the caller.
 */
export function createWebHandler(
  options: ServeWebOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const root = path.resolve(options.distDir);
  const configBody = JSON.stringify(options.config);
  const issuerOrigin = new URL(options.config.oidc.issuer).origin;
  const apiOrigin = URL.canParse(options.config.apiUrl) ? new URL(options.config.apiUrl).origin : '';
  // The page talks to its own origin (GraphQL, graphql-ws) and to the issuer (discovery, token endpoint).
  const csp = [
    "default-src 'self'",
    `connect-src 'self' ${issuerOrigin} ${apiOrigin}`.trim(),
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');

  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const pathname = (req.url ?? '/').split('?')[0]!;
    if (options.apiPaths.some((p) => pathname === p || pathname.startsWith(`${p}/`))) return false;
    serve(pathname, req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, req, 500, 'text/plain; charset=utf-8', 'Internal error.\n');
      else res.destroy(error as Error);
    });
    return true;
  };

  async function serve(pathname: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    if (pathname === '/config.json') {
      res.setHeader('Cache-Control', 'no-store');
      return send(res, req, 200, CONTENT_TYPES['.json']!, configBody);
    }
    if (pathname.startsWith('/icons/') && options.iconsDir) {
      const name = ICON_PATH.exec(pathname)?.[1];
      const icon = name && path.join(options.iconsDir, `${name}.svg`);
      if (!icon || !(await isFile(icon)))
        return send(res, req, 404, 'text/plain; charset=utf-8', 'Not found.\n');
      res.setHeader('Cache-Control', 'no-cache');
      // Opened on its own, an SVG is a document: it may draw, never run or load anything.
      res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
      return send(res, req, 200, CONTENT_TYPES['.svg']!, await readFile(icon));
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return send(res, req, 400, 'text/plain; charset=utf-8', 'Bad path.\n');
    }
    const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
    const inside = (file === root || file.startsWith(`${root}${path.sep}`)) && !decoded.includes('\0');
    if (inside && (await isFile(file))) {
      const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      // Vite puts a content hash in every asset's name; anything else may change with a rebuild.
      res.setHeader(
        'Cache-Control',
        pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
      if (type.startsWith('text/html')) setPageHeaders(res);
      return send(res, req, 200, type, await readFile(file));
    }
    if (pathname.startsWith('/assets/') || !inside) {
      return send(res, req, 404, 'text/plain; charset=utf-8', 'Not found.\n');
    }
    const index = path.join(root, 'index.html');
    if (!(await isFile(index))) {
      return send(
        res,
        req,
        503,
        'text/plain; charset=utf-8',
        `The web UI is not built (no ${index}). Run \`pnpm install\` (it builds packages/web) or \`pnpm --filter @spawnit/web build\`, then reload.\n`,
      );
    }
    res.setHeader('Cache-Control', 'no-cache');
    setPageHeaders(res);
    return send(res, req, 200, CONTENT_TYPES['.html']!, await readFile(index));
  }

  function setPageHeaders(res: ServerResponse): void {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Frame-Options', 'DENY');
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function send(
  res: ServerResponse,
  req: IncomingMessage,
  status: number,
  type: string,
  body: string | Buffer,
): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(req.method === 'HEAD' ? undefined : body);
}
