import { mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readIntField } from '../body.js';
import { type Child, freePort, spawnChild, waitForHttp } from './process.js';
import { localPid, REDIS_URL, redisPid } from './services.js';
import type {
  ClientProtocol,
  ClientSpec,
  ProcRef,
  ProvisionPlan,
  RunningTarget,
  StartOptions,
  Target,
} from './types.js';

/** The reference lives beside the repository: `<repo>/../shared/reference/django-channels`. */
export const DJANGO_DIR = resolve(
  process.env.BENCH_DJANGO_DIR ??
    fileURLToPath(new URL('../../../../shared/reference/django-channels', import.meta.url)),
);

/**
 * refchat: `ws://HOST:PORT/ws/chat/<room>/` subscribes by URL (group_add before accept); the client sends
 * `{"message", "sent_at"}`; every socket of the room, the sender included, gets `{"message", "sender",
 * "sent_at", "id"}` after the row is saved. There is no ack: the sender's own copy stands for one.
 */
export const djangoClient: ClientProtocol = {
  subscribeFrame: () => null,
  sendFrame: (_roomKey, _requestId, body, intendedEpochMs) =>
    JSON.stringify({ message: body, sent_at: intendedEpochMs }),
  // Python's json.dumps writes `"id": 12`.
  orderKey: (text) => readIntField(text, '"id":'),
  parseControl: () => null,
  echoIsAck: true,
};

export const djangoTarget: Target = {
  name: 'django',
  client: djangoClient,
  connectInFlight: 16,
  async start(opts): Promise<RunningTarget> {
    const dataDir = await mkdtemp(join(opts.scratchDir, 'django-data-'));
    const port = await freePort();
    let child: Child;
    try {
      child = await launch(opts, port, dataDir);
    } catch (err) {
      await rm(dataDir, { recursive: true, force: true });
      throw err;
    }
    const stop = async () => {
      await child.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
    let stopped = false;
    return {
      name: 'django',
      description: 'Django 3.2 + Channels 4 + Daphne (1 process), SQLite, channels_redis',
      async processes(): Promise<ProcRef[]> {
        const procs: ProcRef[] = [{ label: 'daphne', pid: child.pid, role: 'server' }];
        const redis = await localPid(await redisPid());
        if (redis) procs.push({ label: 'redis', pid: redis, role: 'aux' });
        return procs;
      },
      async provision(plan: ProvisionPlan): Promise<ClientSpec[]> {
        const origin = `http://127.0.0.1:${port}`;
        return plan.sockets.map((s, gid) => {
          const roomKey = `b${plan.tag}_r${s.room}`;
          return {
            gid,
            url: `ws://127.0.0.1:${port}/ws/chat/${roomKey}/`,
            headers: { origin },
            room: s.room,
            roomKey,
            subscribe: s.subscribe,
          };
        });
      },
      async restart() {
        await child.kill();
        child = await launch(opts, port, dataDir);
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await stop();
      },
    };
  },
};

/**
 * run.sh installs missing Debian packages, starts Redis if none answers, migrates, then execs daphne: the
 * child's pid becomes daphne's. Its own process group, so a stop also reaches `manage.py migrate`.
 */
async function launch(opts: StartOptions, port: number, dataDir: string): Promise<Child> {
  const child = spawnChild('bash', [join(DJANGO_DIR, 'run.sh')], {
    label: 'django (daphne)',
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL,
      SQLITE_PATH: join(dataDir, 'db.sqlite3'),
      // The reference folder is shared and read-only: no __pycache__ there.
      PYTHONDONTWRITEBYTECODE: '1',
    },
    logFile: join(opts.scratchDir, 'django.log'),
    group: true,
  });
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  try {
    // The first start may install Debian packages: generous.
    await waitForHttp(`http://127.0.0.1:${port}/health/`, 300_000, () => !exited);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return child;
}
