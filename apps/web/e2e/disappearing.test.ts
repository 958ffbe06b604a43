import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
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
/** A 3-second message is gone from the screen by its end; the server purges it within about a second after. */
const GONE = { state: 'detached' as const, timeout: 20_000 };
const suffix = Math.random().toString(36).slice(2, 8);
const ALICE = { username: `alice_${suffix}`, displayName: `Alice ${suffix}` };
const BOB = { username: `bob_${suffix}`, displayName: `Bob ${suffix}` };
const ROOM = `Ephemeral ${suffix}`;
const FLEETING = 'This note self-destructs in three seconds';
const LASTING = 'This one stays';

let server: { url: string; close(): Promise<void> } | undefined;
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
  await page.goto(server!.url);
  await registerInUi(page, who, WAIT);
}

const connected = (page: Page) => waitConnected(page, WAIT);

const message = messageItem;

async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
}

/**
 * Picks a message timer in the composer. The shortest one offered is 10 s; to keep the test short, a shorter
 * choice is added to the select first (the composer sends whatever whole number of seconds the select holds).
 */
async function chooseTimer(page: Page, seconds: number): Promise<void> {
  const select = page.getByTestId('composer-ttl');
  await select.evaluate((el, value) => {
    const options = (el as HTMLSelectElement).options;
    if ([...options].some((option) => option.value === value)) return;
    const option = document.createElement('option');
    option.value = value;
    option.textContent = `${value} seconds`;
    el.append(option);
  }, String(seconds));
  await select.selectOption(String(seconds));
}

/** The values the composer's timer select offers ('' is "no timer"). */
function timerChoices(page: Page): Promise<string[]> {
  return page
    .getByTestId('composer-ttl')
    .locator('option')
    .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  alice = await newPage();
  bob = await newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('disappearing messages in the browser', () => {
  it('removes a message with a timer from both screens at its end; a plain one sent alongside stays', async () => {
    await registerAndLogIn(alice, ALICE);
    await alice.getByTestId('create-room-name').fill(ROOM);
    await alice.getByTestId('create-room-visibility').selectOption('public');
    await alice.getByTestId('create-room-submit').click();
    await alice.getByTestId('composer').waitFor(WAIT);

    await registerAndLogIn(bob, BOB);
    await roomItem(bob, ROOM).getByTestId('join-room').click();
    await bob.getByTestId('composer').waitFor(WAIT);

    // No retention: every timer is offered, and nothing says messages disappear.
    expect(await timerChoices(alice)).toEqual(['', '10', '60', '3600', '86400', '604800']);
    expect(await alice.getByTestId('room-retention-note').count()).toBe(0);

    await chooseTimer(alice, 3);
    await send(alice, FLEETING);
    await alice.getByTestId('composer-ttl').selectOption({ index: 0 });
    await send(alice, LASTING);

    for (const page of [alice, bob]) {
      await message(page, FLEETING).getByTestId('message-expiry').waitFor(WAIT);
      await message(page, LASTING).waitFor(WAIT);
    }
    mkdirSync(RESULTS_DIR, { recursive: true });
    await bob.screenshot({ path: `${RESULTS_DIR}disappearing.png` });

    expect(await message(bob, FLEETING).getByTestId('message-expiry').textContent()).toMatch(/^disappears in \d s$/);
    expect(await message(bob, FLEETING).getAttribute('data-expires-at')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await message(bob, LASTING).getByTestId('message-expiry').count()).toBe(0);
    expect(await message(bob, LASTING).getAttribute('data-expires-at')).toBeNull();

    await message(alice, FLEETING).waitFor(GONE);
    await message(bob, FLEETING).waitFor(GONE);
    for (const page of [alice, bob]) {
      expect(await message(page, LASTING).count()).toBe(1);
      expect(await page.getByTestId('message').count()).toBe(1);
      expect(await page.getByTestId('pending-message').count()).toBe(0);
    }
  });

  it('does not show the expired message after a reload', async () => {
    await bob.reload();
    await connected(bob);
    await message(bob, LASTING).waitFor(WAIT);
    expect(await message(bob, FLEETING).count()).toBe(0);
    expect(await bob.getByTestId('message-body').allTextContents()).toEqual([LASTING]);
  });

  it('shows the room’s retention live, offers no longer timer, and counts down messages sent under it', async () => {
    // Bob prefers a 1-minute timer; the room's retention will soon forbid it.
    await bob.getByTestId('composer-ttl').selectOption('60');

    await alice.getByTestId('room-settings-open').click();
    expect(await alice.getByTestId('room-settings-retention-current').textContent()).toContain('off');
    await alice.getByTestId('room-settings-retention').selectOption('30');
    await alice.getByTestId('room-settings-save').click();
    await alice.getByTestId('room-settings-dialog').waitFor({ state: 'detached', ...WAIT });

    // Bob's screen follows the room.updated event: the note appears and the timers beyond 30 s go.
    const note = bob.getByTestId('room-retention-note');
    await note.waitFor(WAIT);
    expect(await note.textContent()).toBe('Messages in this room disappear after 30 seconds.');
    expect(await timerChoices(bob)).toEqual(['', '10']);
    expect(await bob.getByTestId('composer-ttl').inputValue()).toBe('');

    // Without a timer of its own, a message lives as long as the room's retention says.
    await send(bob, 'Under the room retention');
    for (const page of [alice, bob]) {
      const expiry = message(page, 'Under the room retention').getByTestId('message-expiry');
      await expiry.waitFor(WAIT);
      expect(await expiry.textContent()).toMatch(/^disappears in \d+ s$/);
    }
    // Sent before the retention: it keeps its lifetime (none).
    expect(await message(bob, LASTING).getByTestId('message-expiry').count()).toBe(0);

    await alice.getByTestId('room-settings-open').click();
    expect(await alice.getByTestId('room-settings-retention-current').textContent()).toBe(
      'Now: messages disappear after 30 seconds.',
    );
    await alice.getByTestId('room-settings-retention').selectOption('off');
    await alice.getByTestId('room-settings-save').click();
    await alice.getByTestId('room-settings-dialog').waitFor({ state: 'detached', ...WAIT });
    await note.waitFor({ state: 'detached', ...WAIT });
    expect(await timerChoices(bob)).toEqual(['', '10', '60', '3600', '86400', '604800']);
    // The chosen timer comes back once the room allows it again.
    expect(await bob.getByTestId('composer-ttl').inputValue()).toBe('60');

    expect(pageErrors).toEqual([]);
  });
});
