import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateSync } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, relaxedLimits } from '../../server/src/domain/limits.js';
import { doSetPlatformAdmin } from '../../server/src/domain/platform.js';
import { api, newRoom, newUser, range, WsClient } from '../../server/src/test/client.js';
import { startTestServer, type TestServer } from '../../server/src/test/harness.js';
import { launchChromium, PASSWORD, connected as waitConnected } from './support.js';

// Requires the built client (`npm run build -w apps/web`), which the server serves from apps/web/dist.

const RESULTS_DIR = fileURLToPath(new URL('../../../test-results/', import.meta.url));
const WAIT = { timeout: 10_000 };

let server: TestServer | undefined;
let browser: Browser | undefined;
/** Uncaught errors in any page: a screen that "works" while throwing is still broken. */
const pageErrors: string[] = [];

async function newPage(): Promise<Page> {
  const context = await browser!.newContext({ viewport: { width: 1200, height: 780 }, locale: 'en-US' });
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  return page;
}

const connected = (page: Page) => waitConnected(page, WAIT);

async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(server!.url);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/** A code of the authenticator for `secret`, `steps` 30-second steps from now. */
const totpCode = (secret: string, steps = 0) =>
  generateSync({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

beforeAll(async () => {
  // The shipped per-room send limit, so that a flood trips it; everything else relaxed for the test's own users.
  server = await startTestServer({
    config: { limits: { ...relaxedLimits(), sendUserRoom: DEFAULT_LIMITS.sendUserRoom } },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('security in the browser', () => {
  it('shows a platform administrator the alert raised by a flood, live, and acknowledges it', async () => {
    const admin = await newUser(server!.url, 'admin');
    // The same function `npm run admin -- create-admin` runs.
    await doSetPlatformAdmin(server!.salon.database.db, new Date(), {
      userId: admin.user.id,
      grant: true,
      actorId: null,
    });
    const page = await newPage();
    await logIn(page, admin.user.username, admin.password);
    await connected(page);
    await page.getByTestId('admin-toggle').click();
    await page.getByTestId('admin-page').waitFor(WAIT);
    await page.getByTestId('alerts-empty').waitFor(WAIT);
    // Marks this document: if the page reloaded to show the alert, the mark would be gone.
    await page.evaluate(() => {
      (window as unknown as { stillHere: boolean }).stillHere = true;
    });

    // Another user floods a room over a real WebSocket: far more than the per-room limit.
    const flooder = await newUser(server!.url, 'flooder');
    const roomId = await newRoom(server!.url, flooder);
    const ws = await WsClient.connect(server!.url, flooder.token);
    const count = 200;
    for (const i of range(1, count)) ws.send({ type: 'send', id: i, roomId, body: `spam ${i}` });
    await ws.wait((f) => f.id === count, 30_000);
    const limited = ws.inbox.filter((f) => f.type === 'error' && f.code === 'rate_limited').length;
    expect(limited).toBeGreaterThan(DEFAULT_LIMITS.sendUserRoom.points);
    await ws.close();

    const alert = page.locator('[data-testid="alert-item"][data-rule="messageFlood"]');
    await alert.waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
    expect(await alert.getAttribute('data-acknowledged')).toBe('false');
    expect(await alert.textContent()).toContain('Message flood');
    expect(await page.getByTestId('alerts-open').getAttribute('data-count')).toBe('1');
    mkdirSync(RESULTS_DIR, { recursive: true });
    await page.screenshot({ path: `${RESULTS_DIR}admin-alerts.png` });

    await alert.getByTestId('alert-ack').click();
    await page.locator('[data-testid="alert-item"][data-rule="messageFlood"][data-acknowledged="true"]').waitFor(WAIT);
    const listed = await api<{ alerts: Array<{ rule: string; acknowledgedAt: string | null }> }>(
      server!.url,
      'GET',
      '/api/admin/alerts',
      { token: admin.token },
    );
    expect(listed.json.alerts.find((a) => a.rule === 'messageFlood')?.acknowledgedAt).toEqual(expect.any(String));

    // The room's owner sees the same alert in the room's tools; an ordinary user has no administration page.
    const ownerPage = await newPage();
    await logIn(ownerPage, flooder.user.username, flooder.password);
    await connected(ownerPage);
    expect(await ownerPage.getByTestId('admin-toggle').count()).toBe(0);
    await ownerPage.getByTestId('room-item').first().click();
    await ownerPage.getByTestId('room-alerts-open').click();
    await ownerPage.locator('[data-testid="alert-item"][data-rule="messageFlood"]').waitFor(WAIT);
    expect(await ownerPage.getByTestId('alert-ack').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('enrols a second factor, asks for it at login, and tells the other session about the new login', async () => {
    const username = `tess_${Math.random().toString(36).slice(2, 8)}`;
    const reg = await api(server!.url, 'POST', '/api/auth/register', { body: { username, password: PASSWORD } });
    expect(reg.status).toBe(201);
    const first = await newPage();
    await logIn(first, username, PASSWORD);
    await connected(first);

    // Enrol: the otpauth URI and the secret as text, a first code, the recovery codes once.
    await first.getByTestId('security-open').click();
    await first.getByTestId('totp-setup').click();
    const secret = await first.getByTestId('totp-secret').inputValue();
    expect(await first.getByTestId('totp-uri').inputValue()).toContain(`secret=${secret}`);
    const good = totpCode(secret);
    await first.getByTestId('totp-confirm-code').fill(String((Number(good) + 1) % 1_000_000).padStart(6, '0'));
    await first.getByTestId('totp-confirm').click();
    await first.getByText('This code is wrong or expired').waitFor(WAIT);
    await first.getByTestId('totp-confirm-code').fill(good);
    await first.getByTestId('totp-confirm').click();
    await first.getByTestId('recovery-codes').waitFor(WAIT);
    expect(await first.getByTestId('recovery-code').count()).toBe(10);
    await first.getByTestId('recovery-codes-done').click();
    await first.locator('[data-testid="totp-section"][data-state="enabled"]').waitFor(WAIT);
    await first.getByTestId('dialog-close').click();

    // Another browser: the password alone is not enough; the form asks for the code.
    const second = await newPage();
    await logIn(second, username, PASSWORD);
    await second.getByTestId('login-code').waitFor(WAIT);
    expect(await second.getByTestId('connection-status').count()).toBe(0);
    // The next step's code: the one used to enrol cannot be used again.
    await second.getByTestId('login-code').fill(totpCode(secret, 1));
    await second.getByTestId('login-submit').click();
    await connected(second);

    // The first browser hears of it at once and leads to the sessions list.
    await first.getByTestId('new-login-notice').waitFor(WAIT);
    await first.getByTestId('new-login-review').click();
    await first.getByTestId('sessions-section').waitFor(WAIT);
    await first.locator('[data-testid="session-item"]').nth(1).waitFor(WAIT);
    expect(await first.locator('[data-testid="session-item"][data-current="true"]').count()).toBe(1);
    await first.screenshot({ path: `${RESULTS_DIR}security-sessions.png` });
    await first.getByTestId('sessions-revoke-others').click();
    // The other browser's session ended: it is back at the login screen.
    await second.getByTestId('login-username').waitFor(WAIT);
    expect(pageErrors).toEqual([]);
  });
});
