// The SDK's tests run it against the real server; the library itself never imports server code.
// biome-ignore-all lint/style/noRestrictedImports: test-only bridge to the server's test harness.
import { createServer } from 'node:net';

export {
  api,
  eventually,
  newRoom,
  newUser,
  range,
  type TestUser,
  uniqueName,
} from '../../../../apps/server/src/test/client.js';
export {
  type ServerProcess,
  spawnServer,
  startTestServer,
  type TestServer,
} from '../../../../apps/server/src/test/harness.js';
export {
  createTestDatabase,
  queryDatabase,
  REDIS_URL,
  type TestDatabase,
} from '../../../../apps/server/src/test/postgres.js';
export { storedMessages } from '../../../../apps/server/src/test/stored.js';

/** A TCP port nothing listens on right now (to restart a server on the same address, or to find none there). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
