import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      '@salon/protocol': fileURLToPath(new URL('./packages/protocol/src/index.ts', import.meta.url)),
      '@salon/crypto': fileURLToPath(new URL('./packages/crypto/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: two test files at a time keeps servers, databases and Chromium from starving each other.
    maxWorkers: 2,
  },
});
