import { startSalon } from './app.js';
import { loadConfig } from './config.js';

const salon = await startSalon(loadConfig());

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    salon.app.log.info({ signal }, 'shutting down');
    // Bounded: a stuck close must not keep a dying process around.
    setTimeout(() => process.exit(1), 10_000).unref();
    salon.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        salon.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
