import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const SERVER = 'http://127.0.0.1:8080';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: {
    // Bundle the protocol's TypeScript sources directly: no separate build step for the shared package.
    alias: {
      '@salon/protocol': source('../../packages/protocol/src/index.ts'),
      // The E2EE web worker runs the SDK's environment-agnostic engine and @salon/crypto from their sources too.
      '@salon/crypto': source('../../packages/crypto/src/index.ts'),
      '@salon/sdk/e2ee': source('../../packages/sdk/src/e2ee/index.ts'),
      '@salon/sdk/errors': source('../../packages/sdk/src/errors.ts'),
    },
  },
  // ES module workers: the E2EE worker loads ciphersuites lazily (code splitting needs the `es` format).
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      // The protocol's modules only declare things. Saying so lets the bundler drop the zod schemas (and zod
      // itself) when the client imports just constants and types. "sideEffects": false in the protocol's
      // package.json would say the same for every consumer.
      treeshake: { moduleSideEffects: [{ test: /packages[\\/]protocol[\\/]src[\\/]/, sideEffects: false }] },
    },
  },
  server: {
    // Host is forwarded unchanged (no changeOrigin): the server accepts an Origin that matches the Host it was
    // asked for, so pages served by Vite pass its CSRF and WebSocket origin checks without extra configuration.
    proxy: {
      '/api': { target: SERVER },
      '/ws': { target: SERVER, ws: true },
    },
  },
});
