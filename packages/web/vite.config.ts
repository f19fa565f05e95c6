import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

// `vite` (dev server) proxies the API that `pnpm start` runs on its default port, so the page, sign-in and
// GraphQL share one origin as they do when the API serves the build.
const api = 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [solid()],
  build: { target: 'es2022', sourcemap: true },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      '/graphql': { target: api, ws: true },
      '/config.json': api,
    },
  },
});
