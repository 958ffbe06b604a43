import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built command line, run as users and scripts run it. */
export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout's lines parsed as JSON. */
  lines: Array<Record<string, unknown>>;
}

export interface RunOptions {
  input?: string;
  env?: Record<string, string>;
}

/**
 * Runs the built `salon` binary against one server, each profile in its own temporary folder (removed by
 * `cleanup`). `start` returns the child with its result; `run` just the result.
 */
export function cliRunner(serverUrl: () => string, prefix = 'salon-cli-') {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const homes: string[] = [];
  const start = (home: string, args: string[], opts: RunOptions = {}): { child: ChildProcess; done: Promise<Run> } => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: {
        ...process.env,
        SALON_HOME: home,
        SALON_SERVER: serverUrl(),
        SALON_PASSWORD: 'correct horse battery staple',
        ...opts.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    child.stdin!.end(opts.input ?? '');
    const done = new Promise<Run>((resolve) =>
      child.on('close', (code) => {
        const lines = stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        resolve({ code, stdout, stderr, lines });
      }),
    );
    return { child, done };
  };
  return {
    /** A fresh profile folder (one device). */
    newHome(): string {
      const home = mkdtempSync(join(tmpdir(), prefix));
      homes.push(home);
      return home;
    },
    start,
    run: (home: string, args: string[], opts?: RunOptions) => start(home, args, opts).done,
    cleanup(): void {
      for (const home of homes) rmSync(home, { recursive: true, force: true });
    },
  };
}
