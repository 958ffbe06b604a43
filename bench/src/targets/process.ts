import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { sleep } from '../clock.js';

/**
 * Every child process the bench started and has not reaped yet, so that a signal handler or a crash can kill
 * them all (see `killAllChildren`).
 */
const live = new Set<Child>();

export interface Child {
  readonly pid: number;
  readonly label: string;
  readonly proc: ChildProcess;
  /** Leads its own process group (signals go to the whole group). */
  readonly group: boolean;
  readonly exited: Promise<number | null>;
  /** SIGTERM (to the process group when `group`), then SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once; resolves once it is gone. */
  kill(): Promise<void>;
  /** Registers a listener for every later stdout line. */
  onLine(listener: (line: string) => void): void;
}

export interface SpawnOptions {
  label: string;
  env?: Record<string, string>;
  cwd?: string;
  /** stdout and stderr are appended to this file (they must be drained somewhere or the child blocks). */
  logFile: string;
  /** Own process group, so a shell script and its children can be signalled together. */
  group?: boolean;
}

export function spawnChild(command: string, args: string[], opts: SpawnOptions): Child {
  const proc = spawn(command, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.group ?? false,
  });
  if (proc.pid === undefined) throw new Error(`could not start ${opts.label}`);
  const pid = proc.pid;
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  const listeners: Array<(line: string) => void> = [];
  const lines = createInterface({ input: proc.stdout! });
  lines.on('line', (line) => {
    log.write(`${line}\n`);
    for (const listener of listeners) listener(line);
  });
  proc.stderr!.on('data', (chunk: Buffer) => log.write(chunk));
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code, signal) => {
      done = true;
      live.delete(child);
      log.write(`[bench] ${opts.label} exited code=${code} signal=${signal}\n`);
      setTimeout(() => log.end(), 100);
      resolve(code);
    });
  });
  const signal = (sig: NodeJS.Signals) => {
    if (done) return;
    try {
      if (opts.group) process.kill(-pid, sig);
      else proc.kill(sig);
    } catch {
      // already gone
    }
  };
  const child: Child = {
    pid,
    label: opts.label,
    proc,
    group: opts.group ?? false,
    exited,
    async stop(graceMs = 5000) {
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // A group may have members left after its leader exits (a shell's children).
      if (opts.group) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // none left
        }
      }
    },
    async kill() {
      signal('SIGKILL');
      await exited;
    },
    onLine(listener) {
      listeners.push(listener);
    },
  };
  live.add(child);
  return child;
}

/** Last resort on signals and crashes: SIGKILL every child still alive (synchronous, for exit handlers). */
export function killAllChildren(): number {
  let n = 0;
  for (const child of live) {
    try {
      process.kill(child.group ? -child.pid : child.pid, 'SIGKILL');
      n++;
    } catch {
      // gone
    }
  }
  return n;
}

/** Waits until `predicate` sees a stdout line, the child exits, or `ms` passes. */
export function waitForLine<T>(child: Child, predicate: (line: string) => T | undefined, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${child.label} did not start within ${ms} ms`)), ms);
    child.onLine((line) => {
      const hit = predicate(line);
      if (hit !== undefined) {
        clearTimeout(timer);
        resolve(hit);
      }
    });
    void child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${child.label} exited early with code ${code}`));
    });
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 2xx, the `alive` check fails, or `ms` passes. */
export async function waitForHttp(url: string, ms: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!alive()) throw new Error(`process behind ${url} exited`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${ms} ms`);
    await sleep(200);
  }
}
