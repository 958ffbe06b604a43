import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/src/test/harness.js';
import {
  launchChromium,
  messageItem,
  type Person,
  registerInUi,
  roomItem,
  connected as waitConnected,
} from './support.js';

// Requires the built client (`npm run build -w apps/web`), which the server serves from apps/web/dist.

const RESULTS_DIR = fileURLToPath(new URL('../../../test-results/', import.meta.url));
const WAIT = { timeout: 10_000 };
const suffix = Math.random().toString(36).slice(2, 8);
const ALICE = { username: `alice_${suffix}`, displayName: `Alice ${suffix}` };
const BOB = { username: `bob_${suffix}`, displayName: `Bob ${suffix}` };
const ROOM = `Lab ${suffix}`;

let server: { url: string; close(): Promise<void> } | undefined;
let browser: Browser | undefined;
let alice: Page;
let bob: Page;

/** Lets a test cut Bob's WebSocket and keep the "server" away until it says otherwise. */
const bobSocket = { current: undefined as WebSocketRoute | undefined, away: false };

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser!.newContext({ viewport: { width: 1100, height: 760 }, locale: 'en-US' });
  return { context, page: await context.newPage() };
}

async function registerAndLogIn(page: Page, who: Person): Promise<void> {
  await page.goto(server!.url);
  await registerInUi(page, who, WAIT);
}

const connected = (page: Page) => waitConnected(page, WAIT);

const message = messageItem;

async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
}

/** Bodies of the messages on screen, in display order. */
function bodies(page: Page): Promise<string[]> {
  return page.getByTestId('message-body').allTextContents();
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  alice = (await newPage()).page;
  bob = (await newPage()).page;
  // Bob's socket goes through Playwright so that the test can drop it, as a network failure would.
  await bob.routeWebSocket(/\/ws$/, (ws) => {
    if (bobSocket.away) {
      ws.close({ code: 1012, reason: 'test: server away' });
      return;
    }
    ws.connectToServer();
    bobSocket.current = ws;
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('chat in the browser', () => {
  it('lets two users meet in a public room and talk', async () => {
    await registerAndLogIn(alice, ALICE);
    await alice.getByTestId('create-room-name').fill(ROOM);
    await alice.getByTestId('create-room-visibility').selectOption('public');
    await alice.getByTestId('create-room-submit').click();
    await roomItem(alice, ROOM).waitFor(WAIT);
    await alice.getByTestId('composer').waitFor(WAIT);

    await registerAndLogIn(bob, BOB);
    await roomItem(bob, ROOM).getByTestId('join-room').click();
    await bob.getByTestId('composer').waitFor(WAIT);

    await send(alice, 'Hello Bob, welcome to the lab.');
    await message(bob, 'Hello Bob').waitFor(WAIT);
    await send(bob, 'Thanks Alice!');
    await message(alice, 'Thanks Alice!').waitFor(WAIT);

    expect(await message(bob, 'Hello Bob').textContent()).toContain(ALICE.displayName);
    expect(await message(alice, 'Thanks Alice!').textContent()).toContain(BOB.displayName);
    expect(await message(alice, 'Hello Bob').count()).toBe(1);
  });

  it('keeps line breaks, sends on Enter and shows who is typing', async () => {
    const composer = alice.getByTestId('composer');
    await composer.fill('first line');
    await composer.press('Shift+Enter');
    await composer.pressSequentially('second line');
    await bob.getByTestId('typing-indicator').filter({ hasText: ALICE.displayName }).waitFor(WAIT);
    await composer.press('Enter');

    await message(bob, 'second line').waitFor(WAIT);
    expect(await message(bob, 'second line').getByTestId('message-body').textContent()).toBe('first line\nsecond line');
    expect(await composer.inputValue()).toBe('');
  });

  it('catches up after the connection drops, without duplicates', async () => {
    bobSocket.away = true;
    await bobSocket.current!.close({ code: 1012, reason: 'test: connection lost' });
    await bob.locator('[data-testid="connection-status"][data-status="reconnecting"]').waitFor(WAIT);

    await send(alice, 'Sent while Bob was away');
    await message(alice, 'Sent while Bob was away').waitFor(WAIT);
    expect(await message(bob, 'Sent while Bob was away').count()).toBe(0);

    bobSocket.away = false;
    await message(bob, 'Sent while Bob was away').waitFor(WAIT);
    await connected(bob);
    await send(alice, 'And after his return');
    await message(bob, 'And after his return').waitFor(WAIT);

    const seqs = await bob.getByTestId('message').evaluateAll((els) => els.map((el) => Number(el.dataset.seq)));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('shows the history after a reload', async () => {
    await bob.reload();
    await connected(bob);
    await message(bob, 'And after his return').waitFor(WAIT);
    expect(await bodies(bob)).toEqual([
      'Hello Bob, welcome to the lab.',
      'Thanks Alice!',
      'first line\nsecond line',
      'Sent while Bob was away',
      'And after his return',
    ]);

    mkdirSync(RESULTS_DIR, { recursive: true });
    await bob.screenshot({ path: `${RESULTS_DIR}chat.png` });
  });

  it('switches the interface to French', async () => {
    await alice.getByTestId('lang-switch').selectOption('fr');
    expect(await alice.getByTestId('send-button').textContent()).toBe('Envoyer');
    await alice.getByTestId('lang-switch').selectOption('en');
    expect(await alice.getByTestId('send-button').textContent()).toBe('Send');
  });
});
