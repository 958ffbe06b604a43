import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, spawnServer } from '../../server/src/test/harness.js';
import { createTestDatabase, queryDatabase, REDIS_URL, type TestDatabase } from '../../server/src/test/postgres.js';
import { startTcpProxy, type TcpProxy } from '../../server/src/test/proxy.js';
import { storedMessages } from '../../server/src/test/stored.js';
import { launchChromium, type Person, registerInUi, roomItem, connected as waitConnected } from './support.js';

// Requires `npm run build` (the server processes run apps/server/dist) and the built client
// (`npm run build -w apps/web`), which both servers serve from apps/web/dist.
//
// Two Salon processes on one PostgreSQL database and Redis, behind a TCP proxy that sends each new connection to
// the first live one. The browsers only know the proxy. Alice keeps typing while the process both users are on is
// SIGKILLed: their pages must reconnect (to the other process) and end up showing the store's messages, each once,
// in order, and nothing Alice typed may vanish or be doubled.

const RESULTS_DIR = fileURLToPath(new URL('../../../test-results/', import.meta.url));
const WAIT = { timeout: 15_000 };
const suffix = Math.random().toString(36).slice(2, 8);
const ALICE = { username: `alice_${suffix}`, displayName: `Alice ${suffix}` };
const BOB = { username: `bob_${suffix}`, displayName: `Bob ${suffix}` };
const ROOM = `Failover ${suffix}`;
/** Messages Alice types in the loop; the backend dies after KILL_AFTER of them. */
const LOOP = 24;
const KILL_AFTER = 8;

let db: TestDatabase | undefined;
const servers: ServerProcess[] = [];
let proxy: TcpProxy | undefined;
let browser: Browser | undefined;
let alice: Page;
let bob: Page;
/** Uncaught errors in any page: a timeline that "works" while throwing is still broken. */
const pageErrors: string[] = [];

async function newPage(): Promise<Page> {
  const context = await browser!.newContext({ viewport: { width: 1100, height: 760 }, locale: 'en-US' });
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  return page;
}

async function registerAndLogIn(page: Page, who: Person): Promise<void> {
  await page.goto(proxy!.url);
  await registerInUi(page, who, WAIT);
}

function status(page: Page): Promise<string | null> {
  return page.getByTestId('connection-status').getAttribute('data-status');
}

const connected = (page: Page) => waitConnected(page, WAIT);

async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
}

/** The timeline as shown: stored messages with their seq, and our own sends still pending or failed. */
async function screen(page: Page) {
  const messages = await page.getByTestId('message').evaluateAll((els) =>
    els.map((el) => ({
      seq: Number(el.dataset.seq),
      body: el.querySelector('[data-testid="message-body"]')?.textContent?.trim() ?? '',
    })),
  );
  // A pending item shows the body with a status ("sending", or the error and a dismiss button).
  const pending = await page
    .getByTestId('pending-message')
    .evaluateAll((els) => els.map((el) => ({ text: el.textContent ?? '', failed: el.matches('.failed') })));
  return { messages, pending };
}

function stored(roomId: string) {
  return storedMessages(db!.url, roomId);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  db = await createTestDatabase();
  const env = { DATABASE_URL: db.url, REDIS_URL };
  // One after the other: the first one migrates the fresh database.
  servers.push(await spawnServer(env));
  servers.push(await spawnServer(env));
  proxy = await startTcpProxy(servers.map((s) => s.url));
  browser = await launchChromium();
  alice = await newPage();
  bob = await newPage();
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await Promise.all(servers.map((s) => s.kill()));
  await db?.drop();
});

describe('the web client when a server process dies', () => {
  it('fails over to the other process, and both screens end with every stored message once, in order', async () => {
    await registerAndLogIn(alice, ALICE);
    await alice.getByTestId('create-room-name').fill(ROOM);
    await alice.getByTestId('create-room-visibility').selectOption('public');
    await alice.getByTestId('create-room-submit').click();
    await roomItem(alice, ROOM).waitFor(WAIT);
    await alice.getByTestId('composer').waitFor(WAIT);
    await registerAndLogIn(bob, BOB);
    await roomItem(bob, ROOM).getByTestId('join-room').click();
    await bob.getByTestId('composer').waitFor(WAIT);
    const [{ id: roomId }] = (await queryDatabase<{ id: string }>(db!.url, 'select id from rooms where name = $1', [
      ROOM,
    ])) as [{ id: string }];

    await send(bob, 'Bob is here');
    await alice.getByTestId('message').filter({ hasText: 'Bob is here' }).waitFor(WAIT);

    // Everything (pages, API calls, both WebSockets) went to the first process.
    const [first, second] = proxy!.stats();
    expect(first!.open).toBeGreaterThanOrEqual(2);
    expect(second!.accepted).toBe(0);

    const typed: Array<{ body: string; status: string | null }> = [];
    for (let i = 1; i <= LOOP; i++) {
      const body = `failover ${String(i).padStart(2, '0')}`;
      typed.push({ body, status: await status(alice) });
      await send(alice, body);
      if (i === KILL_AFTER) {
        // Some of the last sends may be in flight: stored or not, acked or not, when the process dies.
        await servers[0]!.kill();
      }
      await sleep(120);
    }
    const typedOffline = typed.filter((t) => t.status !== 'connected');
    expect(typedOffline.length, 'some messages were typed while disconnected').toBeGreaterThan(0);

    // Both pages are back (on the second process) and Alice's queue has drained: whatever is left of it can
    // only be a send the server refused, shown as failed.
    await connected(alice);
    await connected(bob);
    await alice
      .locator('[data-testid="pending-message"]:not(.failed)')
      .first()
      .waitFor({ state: 'detached', timeout: 20_000 });
    const rows = await stored(roomId);
    const expected = rows.map((r) => ({ seq: Number(r.seq), body: r.body }));
    // The live stream and the replays after reconnection converge on the store.
    for (const page of [alice, bob]) {
      await expect
        .poll(async () => (await screen(page)).messages, { timeout: 20_000, interval: 200 })
        .toEqual(expected);
    }

    const screens = { alice: await screen(alice), bob: await screen(bob) };
    for (const [who, shown] of Object.entries(screens)) {
      const seqs = shown.messages.map((m) => m.seq);
      expect(new Set(seqs).size, `${who}: no duplicate seq`).toBe(seqs.length);
      expect(seqs, `${who}: in seq order`).toEqual([...seqs].sort((a, b) => a - b));
      expect(shown.messages, `${who}: exactly the store's messages`).toEqual(expected);
    }
    // Every message Alice typed is stored exactly once, in the order typed, or is still on her screen as a
    // failed send: nothing vanished, nothing was doubled.
    const storedBodies = expected.map((m) => m.body ?? '').filter((b) => b.startsWith('failover '));
    const failed = typed.filter((t) => screens.alice.pending.some((p) => p.text.includes(t.body)));
    for (const { body } of typed) {
      const times = storedBodies.filter((b) => b === body).length;
      const shownPending = screens.alice.pending.filter((p) => p.text.includes(body)).length;
      expect(times + shownPending, `"${body}" is stored once or visibly failed`).toBe(1);
    }
    expect(screens.alice.pending.every((p) => p.failed)).toBe(true);
    expect(screens.bob.pending).toEqual([]);
    const delivered = typed.filter((t) => !failed.includes(t)).map((t) => t.body);
    expect(storedBodies).toEqual(delivered);
    expect(expected.map((m) => m.body)).toEqual(['Bob is here', ...delivered]);

    // Reconnections went to the second process; the first one is gone.
    const [dead, alive] = proxy!.stats();
    expect(dead!.open).toBe(0);
    expect(alive!.open).toBeGreaterThanOrEqual(2);
    expect(pageErrors).toEqual([]);
    console.log(
      `node loss: ${typed.length} messages typed, ${typedOffline.length} while disconnected, ${failed.length} ` +
        `failed; ${expected.length} stored; proxy ${JSON.stringify(proxy!.stats())}`,
    );

    mkdirSync(RESULTS_DIR, { recursive: true });
    await alice.screenshot({ path: `${RESULTS_DIR}node-loss.png` });
  });
});
