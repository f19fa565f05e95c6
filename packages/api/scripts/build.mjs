// Builds the API into plain JavaScript: dist/main.mjs, main-api.mjs, main-worker.mjs and token.mjs, which
// `pnpm start`, `pnpm api`, `pnpm worker` and `pnpm token` run: nothing is compiled when the product starts.
// Runs at install (postinstall); `pnpm dev` runs the sources.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const started = performance.now();
await build({
  absWorkingDir: fileURLToPath(new URL('..', import.meta.url)),
  entryPoints: {
    main: 'src/main.ts',
    'main-api': 'src/main-api.ts',
    'main-worker': 'src/main-worker.ts',
    token: 'src/token.ts',
    'rebuild-index': 'src/rebuild-index.ts',
  },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  // One file per entry, the workspace packages and the dependencies in it: one read and one parse at start.
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
  `@spawnit/api: built dist/main.mjs, main-api.mjs, main-worker.mjs, token.mjs and rebuild-index.mjs in ${Math.round(performance.now() - started)} ms`,
);
