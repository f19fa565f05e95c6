import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type App, buildApp, createTokenVerifier, webRedirectUris } from '@spawnit/api';
import { createOidcProvider, type OidcProvider, WEB_CLIENT_ID } from '@spawnit/embedded';
import { createOperations, type EngineOptions, type Operations } from '@spawnit/engine';
import { execa } from 'execa';
import { USERS } from './api.js';
import { type EngineHarness, startEngine } from './engine.js';
import { freePort } from './free-port.js';
import { FIXTURE_CATALOG, REPO_ROOT } from './paths.js';

export const WEB_DIR = path.join(REPO_ROOT, 'packages/web');

/** Builds the web UI with its own Vite into `outDir` (not `packages/web/dist`, which `pnpm start` serves). */
export async function buildWebUi(outDir: string): Promise<void> {
  const require = createRequire(path.join(WEB_DIR, 'package.json'));
  const vitePackage = require.resolve('vite/package.json');
  const { bin } = require(vitePackage) as { bin: Record<string, string> };
  const vite = path.join(path.dirname(vitePackage), bin.vite!);
  await execa(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: WEB_DIR,
  });
}

export interface WebStack {
  /** Where the UI is served, e.g. `http://127.0.0.1:41234`. */
  origin: string;
  app: App;
  h: EngineHarness;
  operations: Operations;
  /** The embedded provider; `undefined` with an external issuer (`options.oidc`). */
  oidc: OidcProvider | undefined;
  close(): Promise<void>;
}

/**
 * The API serving the built UI, on real parts: the embedded S3 server, the embedded OIDC provider with the
 * test users and the UI's redirect URIs, and the engine on the fixture catalog (real terraform).
 */
export async function startWebStack(options: {
  distDir: string;
  /** Engine settings over the fixture defaults (the real catalog, a provider mirror...). */
  engine?: Partial<EngineOptions>;
  /** The port to serve on, e.g. one an external issuer's redirect URIs already name. @default a free one */
  port?: number;
  /** An external issuer (Keycloak) instead of the embedded provider. @default the embedded provider */
  oidc?: { issuer: string; clientId: string; audience: string; rolesClaim: string };
}): Promise<WebStack> {
  const port = options.port ?? (await freePort());
  const oidcDir = await mkdtemp(path.join(tmpdir(), 'spawnit-oidc-'));
  const oidc = options.oidc
    ? undefined
    : createOidcProvider({ dataDir: oidcDir, users: USERS, webRedirectUris: webRedirectUris(port) });
  const issuer = options.oidc?.issuer ?? (await oidc!.start()).issuer;
  const h = await startEngine(options.engine);
  const operations = createOperations({ engine: h.engine, logFlushMs: 500 });
  const app = buildApp({
    engine: h.engine,
    operations,
    verifier: createTokenVerifier({
      issuer,
      audience: options.oidc?.audience ?? oidc!.audience,
      rolesClaim: options.oidc?.rolesClaim,
    }),
    port,
    logging: 'warn',
    web: {
      distDir: options.distDir,
      iconsDir: path.join(options.engine?.catalogDir ?? FIXTURE_CATALOG, 'icons'),
      config: { apiUrl: '/graphql', oidc: { issuer, clientId: options.oidc?.clientId ?? WEB_CLIENT_ID } },
    },
  });
  await app.start();
  return {
    origin: `http://127.0.0.1:${port}`,
    app,
    h,
    operations,
    oidc,
    async close() {
      await app.stop();
      await operations.shutdown();
      await h.close();
      await oidc?.stop();
      await rm(oidcDir, { recursive: true, force: true });
    },
  };
}
