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
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    proxy: {
      '/api': { target: SERVER },
      '/ws': {
        target: SERVER,
        ws: true,
        // The server checks the WebSocket Origin; in development the page comes from Vite's port, so present
        // the server's own origin instead of adding the dev port to the server's allow-list.
        configure: (proxy) => {
          proxy.on('proxyReqWs', (proxyReq) => proxyReq.setHeader('origin', SERVER));
        },
      },
    },
  },
});
