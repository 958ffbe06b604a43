import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { type Beating, Heartbeat } from './heartbeat.js';

/** Real sockets; only the heartbeat's interval is driven by hand (vi's fake setInterval). */
describe('the heartbeat', () => {
  let server: WebSocketServer;
  let url: string;
  const accepted: Array<Beating & { ws: WebSocket }> = [];
  beforeAll(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.on('connection', (ws) => {
      const conn = { ws, alive: true, closed: false };
      ws.on('pong', () => {
        conn.alive = true;
      });
      accepted.push(conn);
    });
  });
  afterEach(() => {
    vi.useRealTimers();
    for (const c of accepted.splice(0)) c.ws.terminate();
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  async function clients(n: number, autoPong = true) {
    const total = accepted.length + n;
    const list = await Promise.all(
      Array.from({ length: n }, async () => {
        const ws = new WebSocket(url, { autoPong });
        const client = { ws, pings: 0, closed: false };
        ws.on('ping', () => client.pings++);
        ws.on('close', () => {
          client.closed = true;
        });
        await new Promise((resolve) => ws.once('open', resolve));
        return client;
      }),
    );
    await vi.waitFor(() => expect(accepted).toHaveLength(total));
    return list;
  }
  /** A heartbeat over every accepted connection, added in the order they came. */
  function beating(intervalMs: number) {
    const heartbeat = new Heartbeat(intervalMs);
    for (const conn of accepted) heartbeat.add(conn);
    return heartbeat;
  }
  /** Lets the sockets carry what the last tick sent (pings out, pongs back). */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  it('pings each connection once per interval, a slice of them per tick', async () => {
    const list = await clients(20);
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    // 1 s in ticks of 250 ms: four slices of five connections.
    const heartbeat = beating(1000);
    const pinged: number[] = [];
    for (let tick = 1; tick <= 8; tick++) {
      vi.advanceTimersByTime(250);
      await settle();
      pinged.push(list.reduce((sum, c) => sum + c.pings, 0));
    }
    heartbeat.stop();
    expect(pinged).toEqual([5, 10, 15, 20, 25, 30, 35, 40]);
    expect(list.every((c) => c.pings === 2 && !c.closed)).toBe(true);
    for (const c of list) c.ws.close();
  });

  it('drops the connections that did not answer their previous ping, and only those', async () => {
    const [answering, silent] = [await clients(6), await clients(6, false)];
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const heartbeat = beating(500);
    for (let tick = 1; tick <= 4; tick++) {
      vi.advanceTimersByTime(250);
      await settle();
    }
    // Two slices: each connection was pinged at its first tick and checked at its second.
    await vi.waitFor(() => expect(silent.every((c) => c.closed)).toBe(true));
    expect(answering.some((c) => c.closed)).toBe(false);
    expect(accepted.filter((c) => c.closed)).toHaveLength(6);
    // A dropped connection is not pinged again; the others go on being pinged, and a removed one no more.
    const before = answering.map((c) => c.pings);
    heartbeat.remove(accepted[0]!); // one of the answering six (they were accepted first)
    vi.advanceTimersByTime(500);
    await settle();
    const after = answering.map((c) => c.pings);
    expect(after.filter((n, i) => n === before[i]! + 1)).toHaveLength(5);
    expect(after.filter((n, i) => n === before[i])).toHaveLength(1);
    heartbeat.stop();
    for (const c of answering) c.ws.close();
  });

  it('with an interval shorter than a tick, pings everyone at every interval', async () => {
    const list = await clients(3);
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const heartbeat = beating(100);
    vi.advanceTimersByTime(100);
    await settle();
    expect(list.map((c) => c.pings)).toEqual([1, 1, 1]);
    heartbeat.stop();
    vi.advanceTimersByTime(1000);
    await settle();
    expect(list.map((c) => c.pings)).toEqual([1, 1, 1]);
    for (const c of list) c.ws.close();
  });
});
