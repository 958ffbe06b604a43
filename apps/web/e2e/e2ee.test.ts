import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/src/test/harness.js';
import {
  launchChromium,
  messageItem,
  PASSWORD,
  type Person,
  registerInUi,
  connected as waitConnected,
} from './support.js';

// Requires the built client (`npm run build -w apps/web`), which the server serves from apps/web/dist.

const RESULTS_DIR = fileURLToPath(new URL('../../../test-results/', import.meta.url));
/** MLS work (post-quantum KeyPackages, commits, joins) runs in a worker on a shared machine: allow for it. */
const WAIT = { timeout: 30_000 };
const suffix = Math.random().toString(36).slice(2, 8);
const ALICE = { username: `ada_${suffix}`, displayName: `Ada ${suffix}` };
const BOB = { username: `ben_${suffix}`, displayName: `Ben ${suffix}` };
const ROOM = `Sealed lab ${suffix}`;
/** Unique strings that must show on screen and never reach the server's database. */
const MARKERS = {
  fromAlice: `zebra-${suffix}-${Math.random().toString(36).slice(2, 10)}`,
  fromBob: `quokka-${suffix}-${Math.random().toString(36).slice(2, 10)}`,
  tampered: `narwhal-${suffix}-${Math.random().toString(36).slice(2, 10)}`,
  whileAway: `ibex-${suffix}-${Math.random().toString(36).slice(2, 10)}`,
  afterReturn: `okapi-${suffix}-${Math.random().toString(36).slice(2, 10)}`,
  bobBack: `tapir-${suffix}-${Math.random().toString(36).slice(2, 10)}`,
  compact: `gecko-${suffix}-${Math.random().toString(36).slice(2, 10)}`,
};
const VANISHING = `mayfly-${suffix}-${Math.random().toString(36).slice(2, 10)}`;

let server: TestServer | undefined;
let browser: Browser | undefined;
let alice: Page;
let bob: Page;
let roomId = '';
/** Uncaught errors in any page (the worker's failures surface in the page as rejected calls). */
const pageErrors: string[] = [];

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser!.newContext({ viewport: { width: 1200, height: 800 }, locale: 'en-US' });
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  return { context, page };
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
 * One blob of Bob's E2EE store as IndexedDB holds it (`sealed`, bytes as latin1 text) and opened with the
 * profile's store key (`opened`), which the page's origin may use but not read (`extractable`).
 */
async function bobsBlob(page: Page, name: string) {
  const [user] = await server!.query<{ id: string }>(`select id from users where username = '${BOB.username}'`);
  return page.evaluate(
    async ({ blobName, userId }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('salon-e2ee');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const get = (store: string, key: string) =>
        new Promise<unknown>((resolve, reject) => {
          const req = db.transaction(store).objectStore(store).get(key);
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        });
      const key = (await get('meta', 'store-key')) as CryptoKey;
      const id = `${userId}/${blobName}`;
      const stored = (await get('blobs', id)) as Uint8Array | undefined;
      db.close();
      const exported = await crypto.subtle.exportKey('raw', key).then(
        () => true,
        () => false,
      );
      if (stored === undefined) return { sealed: '', opened: '', extractable: key.extractable, exported };
      const sealed = new Uint8Array(stored);
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: sealed.subarray(0, 12), additionalData: new TextEncoder().encode(id) },
        key,
        sealed.subarray(12),
      );
      return {
        sealed: new TextDecoder('latin1').decode(sealed),
        opened: new TextDecoder().decode(plain),
        extractable: key.extractable,
        exported,
      };
    },
    { blobName: name, userId: user!.id },
  );
}

/**
 * Picks a message timer in the composer; a choice shorter than the shortest one offered is added first (the
 * composer sends whatever whole number of seconds the select holds).
 */
async function chooseTimer(page: Page, seconds: number | ''): Promise<void> {
  const select = page.getByTestId('composer-ttl');
  await select.evaluate((el, value) => {
    if ([...(el as HTMLSelectElement).options].some((option) => option.value === value)) return;
    const option = document.createElement('option');
    option.value = value;
    option.textContent = `${value} seconds`;
    el.append(option);
  }, String(seconds));
  await select.selectOption(String(seconds));
}

/** Every row of every table of the server's store, as text (`t::text` renders all columns of a row). */
async function dumpDatabase(): Promise<string[]> {
  const tables = await server!.query<{ table_schema: string; table_name: string }>(
    `select table_schema, table_name from information_schema.tables
     where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`,
  );
  expect(tables.map((t) => t.table_name)).toContain('messages');
  const rows: string[] = [];
  for (const t of tables) {
    const result = await server!.query<{ row: string }>(
      `select t::text as row from "${t.table_schema}"."${t.table_name}" t`,
    );
    rows.push(...result.map((r) => `${t.table_name}: ${r.row}`));
  }
  return rows;
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  alice = (await newPage()).page;
  bob = (await newPage()).page;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('end-to-end encryption in the browser', () => {
  it('lets two users talk in a private room that the server cannot read', async () => {
    await registerAndLogIn(alice, ALICE);
    await registerAndLogIn(bob, BOB);

    // Alice creates a private room: encrypted, post-quantum suite by default.
    await alice.getByTestId('create-room-name').fill(ROOM);
    await alice.getByTestId('create-room-visibility').selectOption('private');
    await alice.getByTestId('create-room-submit').click();
    await alice.getByTestId('composer').waitFor(WAIT);
    roomId = decodeURIComponent(new URL(alice.url()).hash.replace('#room=', ''));
    const lock = alice.getByTestId('room-header-lock');
    await lock.waitFor(WAIT);
    expect(await lock.getAttribute('data-suite')).toBe('84');
    expect(await lock.textContent()).toContain('post-quantum X-Wing');
    await alice.locator(`[data-testid="room-item"][data-room-name="${ROOM}"] [data-testid="room-lock"]`).waitFor(WAIT);
    await alice.getByTestId('e2ee-history-note').waitFor(WAIT);

    // She invites Bob by name; he accepts and his device joins the room's group.
    await alice.getByTestId('invite-open').click();
    await alice.getByTestId('invite-username').fill(BOB.username);
    await alice.getByTestId('invite-user-submit').click();
    await alice.getByTestId('invite-user-sent').waitFor(WAIT);
    await alice.getByTestId('dialog-close').click();
    const invitation = bob.locator(`[data-testid="invitation-item"][data-room-name="${ROOM}"]`);
    await invitation.waitFor(WAIT);
    await invitation.getByTestId('invitation-accept').click();
    await bob.getByTestId('composer').waitFor(WAIT);
    await bob.getByTestId('room-header-lock').waitFor(WAIT);

    await send(alice, `Hello Ben: **${MARKERS.fromAlice}**`);
    await message(bob, MARKERS.fromAlice).waitFor(WAIT);
    await send(bob, `Got it, $x^2$ ${MARKERS.fromBob}`);
    await message(alice, MARKERS.fromBob).waitFor(WAIT);

    // Decrypted, verified and rendered like any message (Markdown and math included).
    expect(await message(bob, MARKERS.fromAlice).getAttribute('data-e2ee')).toBe('ok');
    expect(await message(bob, MARKERS.fromAlice).locator('strong').textContent()).toBe(MARKERS.fromAlice);
    expect(await message(alice, MARKERS.fromBob).getAttribute('data-e2ee')).toBe('ok');
    await message(alice, MARKERS.fromBob).locator('.katex').first().waitFor(WAIT);
    expect(await message(bob, MARKERS.fromAlice).textContent()).toContain(ALICE.displayName);

    mkdirSync(RESULTS_DIR, { recursive: true });
    await bob.screenshot({ path: `${RESULTS_DIR}e2ee.png` });
  });

  it('stores no plaintext anywhere in the database', async () => {
    const messages = await server!.query<Record<string, unknown>>(
      `select * from messages where room_id = '${roomId}' order by seq`,
    );
    const texts = messages.filter((m) => m.kind === null);
    expect(texts.length).toBeGreaterThanOrEqual(2);
    for (const m of texts) {
      expect(m.body).toBeNull();
      expect(m.sealed_body).toBeNull();
      expect(typeof m.ciphertext).toBe('string');
    }
    expect(messages.some((m) => m.kind === 'commit')).toBe(true);
    const everything = [JSON.stringify(messages), ...(await dumpDatabase())].join('\n');
    // The dump is not empty: it holds the room and both users, so a missing marker means something.
    expect(everything).toContain(ROOM);
    expect(everything).toContain(BOB.username);
    for (const marker of Object.values(MARKERS)) expect(everything).not.toContain(marker);
  });

  it('keeps the decrypted history on the device across a reload', async () => {
    await bob.reload();
    await connected(bob);
    await message(bob, MARKERS.fromAlice).waitFor(WAIT);
    await message(bob, MARKERS.fromBob).waitFor(WAIT);
    expect(await message(bob, MARKERS.fromAlice).getAttribute('data-e2ee')).toBe('ok');
  });

  it('lets a member report a message with proof; the owner reads it among the reports', async () => {
    const abusive = `report me ${Date.now()}`;
    await send(alice, abusive);
    const received = message(bob, abusive);
    await received.waitFor(WAIT);
    // Nobody reports their own message.
    expect(await message(alice, abusive).getByTestId('message-report').count()).toBe(0);
    await received.getByTestId('message-report').click();
    await received.getByTestId('message-report-confirm').click();
    await received.getByTestId('message-reported').waitFor(WAIT);
    await alice.getByTestId('room-reports-open').click();
    const report = alice.getByTestId('room-report').filter({ hasText: abusive });
    await report.waitFor(WAIT);
    expect(await report.getByTestId('room-report-text').textContent()).toBe(abusive);
    await alice.getByTestId('dialog-close').click();
    // Bob (a member, not a moderator) has no reports view.
    expect(await bob.getByTestId('room-reports-open').count()).toBe(0);
  });

  it('drops a disappearing message, and its decrypted copy on the device, at its end', async () => {
    await chooseTimer(alice, 4);
    await send(alice, `Read fast: ${VANISHING}`);
    await chooseTimer(alice, '');
    await message(bob, VANISHING).waitFor(WAIT);
    expect(await message(bob, VANISHING).getAttribute('data-e2ee')).toBe('ok');

    // The decrypted history is in IndexedDB, sealed under a key the page may use but never read out.
    const stored = await bobsBlob(bob, `room.${roomId}`);
    expect(stored.opened).toContain(VANISHING);
    expect(stored.opened).toContain(MARKERS.fromAlice);
    expect(stored.sealed.length).toBeGreaterThan(0);
    expect(stored.sealed).not.toContain(VANISHING);
    expect(stored.sealed).not.toContain(MARKERS.fromAlice);
    expect(stored.extractable).toBe(false);
    expect(stored.exported).toBe(false);

    for (const page of [alice, bob]) await message(page, VANISHING).waitFor({ state: 'detached', ...WAIT });
    await expect.poll(async () => (await bobsBlob(bob, `room.${roomId}`)).opened, WAIT).not.toContain(VANISHING);
    expect((await bobsBlob(bob, `room.${roomId}`)).opened).toContain(MARKERS.fromAlice);
  });

  it('shows the same safety number on both sides and records a verification', async () => {
    const safety = async (page: Page, other: string) => {
      await page
        .locator(`[data-testid="member-item"][data-username="${other}"] [data-testid="member-devices"]`)
        .click();
      await page.getByTestId('devices-dialog').waitFor(WAIT);
      const number = page.getByTestId('safety-number');
      await number.waitFor(WAIT);
      expect(await page.getByTestId('device-item').count()).toBe(1);
      expect(await page.getByTestId('device-fingerprint').textContent()).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
      await page.getByTestId('safety-qr').waitFor(WAIT);
      return (await number.textContent()) ?? '';
    };
    const seenByAlice = await safety(alice, BOB.username);
    const seenByBob = await safety(bob, ALICE.username);
    expect(seenByAlice).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(seenByBob).toBe(seenByAlice);

    await alice.getByTestId('mark-verified').click();
    await alice.locator('[data-testid="verified-state"][data-verified="true"]').waitFor(WAIT);
    for (const page of [alice, bob]) {
      await page.getByTestId('dialog-close').click();
      await page.getByTestId('devices-dialog').waitFor({ state: 'detached', ...WAIT });
    }
  });

  it('shows a tampered message as unverifiable, never its text', async () => {
    // Bob is away (his tab closed) while Alice writes; the stored ciphertext is then altered by one bit.
    await bob.goto('about:blank');
    await send(alice, `Secret plan: ${MARKERS.tampered}`);
    await message(alice, MARKERS.tampered).waitFor(WAIT);
    const seq = Number(await message(alice, MARKERS.tampered).getAttribute('data-seq'));
    await expect
      .poll(
        async () =>
          (await server!.query(`select seq from messages where room_id = '${roomId}' and seq = ${seq}`)).length,
      )
      .toBe(1);
    await server!.query(
      `update messages set ciphertext = replace(encode(set_byte(decode(ciphertext, 'base64'), 200,
         get_byte(decode(ciphertext, 'base64'), 200) # 1), 'base64'), E'\\n', '')
       where room_id = '${roomId}' and seq = ${seq}`,
    );

    await bob.goto(`${server!.url}/#room=${encodeURIComponent(roomId)}`);
    await connected(bob);
    const altered = bob.locator(`[data-testid="message"][data-seq="${seq}"]`);
    await altered.getByTestId('message-unverified').waitFor(WAIT);
    expect(await altered.getAttribute('data-e2ee')).toBe('unverified');
    expect(await altered.textContent()).toContain('Could not verify');
    expect(await bob.getByTestId('message-list').textContent()).not.toContain(MARKERS.tampered);
    // Earlier messages still read, from this device's encrypted history.
    await message(bob, MARKERS.fromAlice).waitFor(WAIT);

    // The failure was reported to the server as a security event, without any plaintext.
    await expect
      .poll(async () => JSON.stringify(await server!.query('select t::text as row from security_events t')), WAIT)
      .toContain('integrity.failed');
  });

  it('keeps a removed member out of what follows, and lets them back in by invitation', async () => {
    const member = (page: Page, username: string) =>
      page.locator(`[data-testid="member-item"][data-username="${username}"]`);
    await member(alice, BOB.username).getByTestId('member-menu').click();
    await member(alice, BOB.username).getByTestId('member-kick').click();
    await member(alice, BOB.username).getByTestId('member-kick-confirm').click();
    await member(alice, BOB.username).waitFor({ state: 'detached', ...WAIT });
    await bob.getByTestId('composer').waitFor({ state: 'detached', ...WAIT });

    // Sent after the removal: Alice's device commits Bob's device out first (the server demands it).
    await send(alice, `Between us: ${MARKERS.whileAway}`);
    await message(alice, MARKERS.whileAway).waitFor(WAIT);
    expect(await message(alice, MARKERS.whileAway).getAttribute('data-e2ee')).toBe('ok');

    await alice.getByTestId('invite-open').click();
    await alice.getByTestId('invite-username').fill(BOB.username);
    await alice.getByTestId('invite-user-submit').click();
    await alice.getByTestId('invite-user-sent').waitFor(WAIT);
    await alice.getByTestId('dialog-close').click();
    const invitation = bob.locator(`[data-testid="invitation-item"][data-room-name="${ROOM}"]`);
    await invitation.waitFor(WAIT);
    await invitation.getByTestId('invitation-accept').click();
    await bob.getByTestId('composer').waitFor(WAIT);

    await send(alice, `Welcome back: ${MARKERS.afterReturn}`);
    await message(bob, MARKERS.afterReturn).waitFor(WAIT);
    expect(await message(bob, MARKERS.afterReturn).getAttribute('data-e2ee')).toBe('ok');
    await send(bob, `Thanks ${MARKERS.bobBack}`);
    await message(alice, MARKERS.bobBack).waitFor(WAIT);

    // What was said while he was out stays unreadable on his device, and says why.
    const seq = await message(alice, MARKERS.whileAway).getAttribute('data-seq');
    const missed = bob.locator(`[data-testid="message"][data-seq="${seq}"]`);
    await missed.getByTestId('message-before-join').waitFor(WAIT);
    expect(await bob.getByTestId('message-list').textContent()).not.toContain(MARKERS.whileAway);

    const everything = (await dumpDatabase()).join('\n');
    for (const marker of Object.values(MARKERS)) expect(everything).not.toContain(marker);
  });

  it('erases the keys at logout when asked, and warns whoever verified that user', async () => {
    const before = await server!.query<{ id: string }>(
      `select d.id from devices d join users u on u.id = d.user_id where u.username = '${BOB.username}'`,
    );
    expect(before).toHaveLength(1);
    await bob.getByTestId('logout').click();
    await bob.getByTestId('logout-wipe').check();
    await bob.getByTestId('logout-confirm').click();
    await bob.getByTestId('login-username').waitFor(WAIT);
    expect((await bobsBlob(bob, 'device')).opened).toBe('');
    expect((await bobsBlob(bob, `room.${roomId}`)).opened).toBe('');

    // Back on the same browser: a new device, which Alice verified nothing about.
    await bob.getByTestId('login-username').fill(BOB.username);
    await bob.getByTestId('login-password').fill(PASSWORD);
    await bob.getByTestId('login-submit').click();
    await connected(bob);
    await expect
      .poll(async () => {
        const rows = await server!.query<{ id: string }>(
          `select d.id from devices d join users u on u.id = d.user_id where u.username = '${BOB.username}'`,
        );
        return rows.map((r) => r.id);
      }, WAIT)
      .toEqual([expect.not.stringMatching(`^${before[0]!.id}$`)]);

    await alice
      .locator(`[data-testid="member-item"][data-username="${BOB.username}"] [data-testid="member-devices"]`)
      .click();
    await alice.getByTestId('verification-changed').waitFor(WAIT);
    await alice.getByTestId('mark-verified').waitFor(WAIT);
    await alice.getByTestId('dialog-close').click();
  });

  it('creates a room with the compact suite on request', async () => {
    const compact = `Compact lab ${suffix}`;
    await alice.getByTestId('create-room-name').fill(compact);
    await alice.getByTestId('create-room-visibility').selectOption('private');
    await alice.getByTestId('create-room-suite').selectOption('3');
    await alice.getByTestId('create-room-submit').click();
    await alice.locator('#room-title', { hasText: compact }).waitFor(WAIT);
    const lock = alice.getByTestId('room-header-lock');
    expect(await lock.getAttribute('data-suite')).toBe('3');
    expect(await lock.textContent()).toContain('compact X25519');
    await send(alice, `Notes ${MARKERS.compact}`);
    await message(alice, MARKERS.compact).waitFor(WAIT);
    const [row] = await server!.query<{ ciphertext: string | null; body: string | null }>(
      `select m.ciphertext, m.body from messages m join rooms r on r.id = m.room_id
       where r.name = '${compact}' and m.kind is null`,
    );
    expect(row?.body).toBeNull();
    expect(row?.ciphertext).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it('threw no uncaught error in any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
