import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EarlyListener } from './earlyListener.js';
import { TEST_MASTER_KEY } from './test/stored.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Connects, retrying while the port is closed; resolves with the socket once the TCP connection is accepted. */
async function connectWhenOpen(port: number, deadline: number): Promise<Socket> {
  for (;;) {
    const socket = await new Promise<Socket | null>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => resolve(s));
      s.once('error', () => resolve(null));
    });
    if (socket) return socket;
    if (Date.now() > deadline) throw new Error('the port never opened');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the port opens before the application is ready', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'salon-early-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('holds a connection made while the server starts and answers it once ready', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        SALON_DATA_DIR: dataDir,
        SALON_MASTER_KEY: TEST_MASTER_KEY,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let ready = false;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"salon listening"')) ready = true;
    });
    try {
      const socket = await connectWhenOpen(port, Date.now() + 30_000);
      // Accepted while the embedded database was still opening.
      expect(ready).toBe(false);
      socket.write('GET /api/me HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      const answer = await new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (chunk) => {
          text += chunk;
        });
        socket.on('end', () => resolve(text));
      });
      expect(ready).toBe(true);
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized');
      expect(answer).toContain('"code":"unauthenticated"');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  it('hands held connections over once attached, then new ones directly; close ends them all', async () => {
    const early = await EarlyListener.listen({ host: '127.0.0.1', port: 0, backlog: 16 });
    const clients = await Promise.all([1, 2, 3].map(() => connectWhenOpen(early.port, Date.now() + 5000)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const served: Socket[] = [];
    early.attach((socket) => {
      served.push(socket);
      socket.resume();
    });
    expect(served).toHaveLength(3);
    const late = await connectWhenOpen(early.port, Date.now() + 5000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(served).toHaveLength(4);
    const closed = early.close();
    early.destroyConnections();
    await closed;
    await Promise.all(
      [...clients, late].map((c) => (c.closed ? undefined : new Promise((resolve) => c.once('close', resolve)))),
    );
    expect(early.server.listening).toBe(false);
  });
});
