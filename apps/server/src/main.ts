import { loadConfig } from './config.js';
import { EarlyListener } from './earlyListener.js';

const config = loadConfig();
// The port opens before the application's code is even loaded: clients that reconnect meanwhile are held, not
// refused (see earlyListener.ts).
const listener = await EarlyListener.listen({ host: config.host, port: config.port, backlog: config.listenBacklog });
const { startSalon } = await import('./app.js');
const salon = await startSalon(config, { listener });

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
