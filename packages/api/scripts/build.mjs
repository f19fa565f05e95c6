// Builds the API into plain JavaScript: dist/main.mjs, main-api.mjs, main-worker.mjs and token.mjs, which
// `pnpm start`, `pnpm api`, `pnpm worker` and `pnpm token` run: nothing is compiled when the product starts.
// Runs at install (postinstall); `pnpm dev` runs the sources.
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const started = performance.now();
const api = fileURLToPath(new URL('..', import.meta.url));
// Chunk names carry a hash of their content: each build would leave the last one's chunks behind.
await rm(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  absWorkingDir: api,
  entryPoints: {
    main: 'src/main.ts',
    'main-api': 'src/main-api.ts',
    'main-worker': 'src/main-worker.ts',
    token: 'src/token.ts',
    'rebuild-index': 'src/rebuild-index.ts',
    // The embedded servers' worker thread (embedded-defaults.ts starts it from beside this file).
    'embedded-worker': 'src/embedded-worker.ts',
  },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  // The workspace packages and the dependencies in the build: no node_modules at run time, no resolution.
  // What only some runs need (GraphiQL's page, graphile-worker and the TypeScript it pulls in, the embedded
  // servers, execa) is imported dynamically and split into chunks of its own, loaded when first used: kept in
  // one file, main.mjs was 22 MB, a third of a second to compile at every start.
  splitting: true,
  // Beside the entries: code that finds the repository from its own file's place (config.ts) sees the same depth.
  chunkNames: '[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  // Some dependencies are CommonJS and call require(): give the bundle one.
  banner: {
    js: "import { createRequire as spawnitCreateRequire } from 'node:module'; const require = spawnitCreateRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  legalComments: 'external',
  // Some dependencies read a class's or function's name (oidc-provider's errors): renamed ones would break them.
  keepNames: true,
  minifySyntax: true,
  minifyWhitespace: true,
  logLevel: 'warning',
});
console.log(
  `@spawnit/api: built dist/ (main.mjs, main-api.mjs, main-worker.mjs, token.mjs, rebuild-index.mjs, embedded-worker.mjs and their chunks) in ${Math.round(performance.now() - started)} ms`,
);
