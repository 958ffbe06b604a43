import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readIntField } from '../body.js';
import { type Child, spawnChild, waitForLine } from './process.js';
import { type BenchDatabase, createBenchDatabase, localPid, REDIS_URL, redisPid } from './services.js';
import type {
  ClientProtocol,
  ClientSpec,
  ControlFrame,
  ProcRef,
  ProvisionPlan,
  StartOptions,
  Target,
  TargetName,
} from './types.js';

export const SALON_MAIN = fileURLToPath(new URL('../../../apps/server/dist/main.js', import.meta.url));
const SALON_LIMITS_JS = new URL('../../../apps/server/dist/domain/limits.js', import.meta.url);

/**
 * Rate limits multiplied a million times (`SALON_LIMITS`), from the built server's own `relaxedLimits`, so the
 * names always match the build. The limiter still runs on every request and send (its cost is measured); it
 * only never refuses: a handful of bench users do what thousands of real users would, from one address.
 */
async function relaxedLimitsEnv(): Promise<Record<string, string>> {
  try {
    const mod = (await import(SALON_LIMITS_JS.href)) as { relaxedLimits?: (factor?: number) => unknown };
    return mod.relaxedLimits ? { SALON_LIMITS: JSON.stringify(mod.relaxedLimits(1_000_000)) } : {};
  } catch {
    // A build without rate limits.
    return {};
  }
}
const PASSWORD = 'bench-password-not-secret';
/** Sockets per user: a handful of users hold many sockets each (a session token may be shared). */
const USERS_MAX = 10;
/** Concurrent REST calls while provisioning. */
const REST_CONCURRENCY = 16;

/** Salon protocol v1 (`docs/protocol.md`): subscribe, send with clientMsgId, acks with seq. */
export const salonClient: ClientProtocol = {
  subscribeFrame: (roomKey, requestId, since) =>
    JSON.stringify({ type: 'subscribe', id: requestId, roomId: roomKey, ...(since === undefined ? {} : { since }) }),
  sendFrame: (roomKey, requestId, body) =>
    JSON.stringify({ type: 'send', id: requestId, roomId: roomKey, body, clientMsgId: requestId }),
  orderKey: (text) => readIntField(text, '"seq":'),
  parseControl(text): ControlFrame {
    const frame = JSON.parse(text) as { type?: string; id?: string; code?: string; message?: string; lastSeq?: number };
    if (frame.type === 'ack' && typeof frame.id === 'string') {
      return typeof frame.lastSeq === 'number'
        ? { kind: 'ack', id: frame.id, lastSeq: frame.lastSeq }
        : { kind: 'ack', id: frame.id };
    }
    if (frame.type === 'error') {
      return { kind: 'error', id: frame.id, code: frame.code ?? 'unknown', message: frame.message ?? '' };
    }
    return null;
  },
  echoIsAck: false,
};

interface Node {
  child: Child;
  port: number;
  url: string;
}

async function startNode(label: string, env: Record<string, string>, opts: StartOptions, port = 0): Promise<Node> {
  // Profiling the server under load: e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawnChild(process.execPath, [...nodeArgs, SALON_MAIN], {
    label,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...(await relaxedLimitsEnv()),
      ...env,
    },
    logFile: join(opts.scratchDir, `${label.replace(/\W+/g, '-')}.log`),
  });
  try {
    const url = await waitForLine(
      child,
      (line) => {
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          return entry.msg === 'salon listening' ? entry.url : undefined;
        } catch {
          return undefined;
        }
      },
      60_000,
    );
    return { child, url, port: Number(new URL(url).port) };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

async function api<T>(base: string, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = { origin: base };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>) {
  const out = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(runners);
  return out;
}

/** Registers and logs in `count` users, creates `rooms` public rooms and makes every user a member. */
async function provisionSalon(nodes: Node[], plan: ProvisionPlan): Promise<ClientSpec[]> {
  const runTag = plan.tag;
  const base = nodes[0]!.url;
  const userCount = Math.max(1, Math.min(USERS_MAX, plan.sockets.length));
  const tokens = await mapLimit(
    Array.from({ length: userCount }, (_, i) => `b${runTag}u${i}`),
    // argon2 is CPU-bound on 2 cores: more in flight only queues.
    4,
    async (username) => {
      await api(base, 'POST', '/api/auth/register', { username, password: PASSWORD });
      const login = await api<{ token: string }>(base, 'POST', '/api/auth/login', { username, password: PASSWORD });
      return login.token;
    },
  );
  const roomIds = await mapLimit(
    Array.from({ length: plan.rooms }, (_, i) => i),
    REST_CONCURRENCY,
    async (i) =>
      (
        await api<{ room: { id: string } }>(
          base,
          'POST',
          '/api/rooms',
          { name: `b${runTag} r${i}`, visibility: 'public' },
          tokens[0],
        )
      ).room.id,
  );
  const joins = roomIds.flatMap((roomId) => tokens.slice(1).map((token) => ({ roomId, token })));
  await mapLimit(joins, REST_CONCURRENCY, ({ roomId, token }) =>
    api(base, 'POST', `/api/rooms/${roomId}/join`, {}, token),
  );
  // A room's sockets alternate between the processes (as a load balancer would spread its members), so that with
  // two processes every message reaches half of its room through the broker.
  const placed = new Map<number, number>();
  return plan.sockets.map((s, gid) => {
    const rank = placed.get(s.room) ?? 0;
    placed.set(s.room, rank + 1);
    const node = nodes[rank % nodes.length]!;
    return {
      gid,
      url: `${node.url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(tokens[gid % userCount]!)}`,
      headers: { origin: node.url },
      room: s.room,
      roomKey: roomIds[s.room]!,
      subscribe: s.subscribe,
    };
  });
}

function checkBuilt(): void {
  if (!existsSync(SALON_MAIN)) {
    throw new Error(`${SALON_MAIN} is missing: run \`npm run build\` at the repository root first`);
  }
}

/** One process on the embedded database (PGlite) in a temporary SALON_DATA_DIR, in-memory broker. */
export const salonTarget: Target = {
  name: 'salon',
  client: salonClient,
  connectInFlight: 128,
  async start(opts) {
    checkBuilt();
    const dataDir = await mkdtemp(join(opts.scratchDir, 'salon-data-'));
    const env = { SALON_DATA_DIR: dataDir };
    let node: Node;
    try {
      node = await startNode('salon', env, opts);
    } catch (err) {
      await rm(dataDir, { recursive: true, force: true });
      throw err;
    }
    let stopped = false;
    return {
      name: 'salon' as TargetName,
      description: '1 process, embedded PGlite, in-memory broker',
      processes: async (): Promise<ProcRef[]> => [{ label: 'salon', pid: node.child.pid, role: 'server' }],
      provision: (plan) => provisionSalon([node], plan),
      async restart() {
        await node.child.kill();
        node = await startNode('salon', env, opts, node.port);
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          await node.child.stop(15_000);
        } finally {
          await rm(dataDir, { recursive: true, force: true });
        }
      },
    };
  },
};

/** Two processes on a fresh PostgreSQL database, fanning out through Redis; each room's sockets alternate between them. */
export const salonClusterTarget: Target = {
  name: 'salon-cluster',
  client: salonClient,
  connectInFlight: 128,
  async start(opts) {
    checkBuilt();
    const db: BenchDatabase = await createBenchDatabase();
    opts.log(`created database ${db.name}`);
    const env = { DATABASE_URL: db.url, REDIS_URL };
    const nodes: Node[] = [];
    const stopAll = async () => {
      await Promise.all(nodes.map((n) => n.child.stop(15_000)));
      await db.drop();
      opts.log(`dropped database ${db.name}`);
    };
    try {
      // One after the other: the first migrates the fresh database.
      nodes.push(await startNode('salon-pg-1', env, opts));
      nodes.push(await startNode('salon-pg-2', env, opts));
    } catch (err) {
      await stopAll();
      throw err;
    }
    let stopped = false;
    return {
      name: 'salon-cluster' as TargetName,
      description: '2 processes, PostgreSQL + Redis',
      async processes(): Promise<ProcRef[]> {
        const procs: ProcRef[] = nodes.map((n, i) => ({ label: `salon-${i + 1}`, pid: n.child.pid, role: 'server' }));
        const redis = await localPid(await redisPid());
        if (redis) procs.push({ label: 'redis', pid: redis, role: 'aux' });
        for (const pid of await db.backendPids()) procs.push({ label: 'postgres', pid, role: 'aux' });
        return procs;
      },
      async provision(plan) {
        const specs = await provisionSalon(nodes, plan);
        await db.vacuumAnalyze();
        return specs;
      },
      async restart() {
        await Promise.all(nodes.map((n) => n.child.kill()));
        const ports = nodes.map((n) => n.port);
        nodes.length = 0;
        // Both come back at once, as under a supervisor restarting every process of the service.
        nodes.push(...(await Promise.all(ports.map((port, i) => startNode(`salon-pg-${i + 1}`, env, opts, port)))));
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopAll();
      },
    };
  },
};
