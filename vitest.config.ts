import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// graphql ships CommonJS (`main`) and ESM (`module`) builds. Node, and so Yoga, Pothos and graphql-ws, load
// the CommonJS one; Vite would give our TypeScript the ESM one, and graphql refuses schemas and types made
// by "another module or realm". One build for everyone, as in production.
const graphql = createRequire(new URL('./packages/api/package.json', import.meta.url)).resolve('graphql');

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphql }] },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'tests/e2e-docker/**'],
    // OpenTofu, the provider mirror, a dockerd and the local images, before any test (scripts/stack/).
    globalSetup: ['tests/setup/real-stack.ts'],
    // Integration tests run real terraform processes; the defaults are too short on a shared 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
