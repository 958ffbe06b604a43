import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readIntField } from '../body.js';
import { type Child, spawnChild, waitForLine } from './process.js';
import type { ClientProtocol, ClientSpec, ProvisionPlan, RunningTarget, StartOptions, Target } from './types.js';

const SERVER = fileURLToPath(new URL('./raw-server.ts', import.meta.url));

/** Salon-shaped frames without auth or storage: what `raw-server.ts` speaks. */
export const rawClient: ClientProtocol = {
  subscribeFrame: () => null,
  sendFrame: (roomKey, requestId, body) => JSON.stringify({ type: 'send', id: requestId, roomId: roomKey, body }),
  orderKey: (text) => readIntField(text, '"seq":'),
  parseControl(text) {
    const frame = JSON.parse(text) as { type?: string; id?: string };
    return frame.type === 'ack' && typeof frame.id === 'string' ? { kind: 'ack', id: frame.id } : null;
  },
  echoIsAck: false,
};

export const rawTarget: Target = {
  name: 'raw',
  client: rawClient,
  connectInFlight: 256,
  async start(opts: StartOptions): Promise<RunningTarget> {
    let { child, port } = await launch(opts, 0);
    const base = `ws://127.0.0.1:${port}/`;
    return {
      name: 'raw',
      description: 'bare ws server (1 process, no auth, no storage): the ceiling',
      processes: async () => [{ label: 'raw ws', pid: child.pid, role: 'server' }],
      async provision(plan: ProvisionPlan): Promise<ClientSpec[]> {
        const keys = Array.from({ length: plan.rooms }, (_, i) => `${plan.tag}-r${i}`);
        return plan.sockets.map((s, gid) => ({
          gid,
          url: s.subscribe ? `${base}?room=${encodeURIComponent(keys[s.room]!)}` : base,
          headers: {},
          room: s.room,
          roomKey: keys[s.room]!,
          subscribe: s.subscribe,
        }));
      },
      async restart() {
        await child.kill();
        ({ child, port } = await launch(opts, port));
      },
      stop: () => child.stop(),
    };
  },
};

async function launch(opts: StartOptions, wantPort: number): Promise<{ child: Child; port: number }> {
  const child = spawnChild(process.execPath, ['--import', 'tsx', SERVER], {
    label: 'raw ws server',
    env: { PORT: String(wantPort), HOST: '127.0.0.1' },
    logFile: join(opts.scratchDir, 'raw.log'),
  });
  let port: number;
  try {
    port = await waitForLine(
      child,
      (line) => {
        try {
          const entry = JSON.parse(line) as { msg?: string; port?: number };
          return entry.msg === 'raw listening' ? entry.port : undefined;
        } catch {
          return undefined;
        }
      },
      30_000,
    );
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { child, port };
}
