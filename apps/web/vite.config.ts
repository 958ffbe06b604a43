import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const SERVER = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  resolve: {
    // Bundle the protocol's TypeScript sources directly: no separate build step for the shared package.
    alias: { '@salon/protocol': fileURLToPath(new URL('../../packages/protocol/src/index.ts', import.meta.url)) },
  },
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
