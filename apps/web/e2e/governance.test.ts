import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/src/test/harness.js';
import { launchChromium, messageItem, type Person, registerInUi, connected as waitConnected } from './support.js';

// Requires the built client (`npm run build -w apps/web`), which the server serves from apps/web/dist.

const RESULTS_DIR = fileURLToPath(new URL('../../../test-results/', import.meta.url));
const WAIT = { timeout: 10_000 };
const suffix = Math.random().toString(36).slice(2, 8);
const OWNER = { username: `olga_${suffix}`, displayName: `Olga ${suffix}` };
const GUEST = { username: `marc_${suffix}`, displayName: `Marc ${suffix}` };
const ROOM = `Secret lab ${suffix}`;
const DOOMED = 'The formula is 42, keep it quiet';

let server: { url: string; close(): Promise<void> } | undefined;
let browser: Browser | undefined;
let owner: Page;
let guest: Page;
let inviteLink = '';
/** Uncaught errors in any page: a governance flow that "works" while throwing is still broken. */
const pageErrors: string[] = [];
/** The guest's API calls in the order they completed ("POST /api/links/…/redeem 200"). */
const guestCalls: string[] = [];

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser!.newContext({ viewport: { width: 1200, height: 780 }, locale: 'en-US' });
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  return { context, page };
}

/** Registers on the page as it is (an invite link in the address survives the login screen). */
const register = (page: Page, who: Person) => registerInUi(page, who, WAIT);

const connected = (page: Page) => waitConnected(page, WAIT);

function member(page: Page, username: string) {
  return page.locator(`[data-testid="member-item"][data-username="${username}"]`);
}

const message = messageItem;

async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
}

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchChromium();
  const ownerSide = await newPage();
  // The copy button writes to the clipboard; granting the permission lets the test read back what it wrote.
  await ownerSide.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  owner = ownerSide.page;
  guest = (await newPage()).page;
  guest.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/api/')) guestCalls.push(`${r.request().method()} ${path} ${r.status()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('room governance in the browser', () => {
  it('lets the owner invite by link, promote a moderator who deletes a message on both screens', async () => {
    // The owner creates a private room and an invite link.
    await owner.goto(server!.url);
    await register(owner, OWNER);
    await owner.getByTestId('create-room-name').fill(ROOM);
    await owner.getByTestId('create-room-visibility').selectOption('private');
    await owner.getByTestId('create-room-submit').click();
    await owner.getByTestId('composer').waitFor(WAIT);
    await member(owner, OWNER.username).waitFor(WAIT);
    expect(await member(owner, OWNER.username).getAttribute('data-role')).toBe('owner');

    await owner.getByTestId('invite-open').click();
    await owner.getByTestId('link-expiry').selectOption({ label: '1 day' });
    await owner.getByTestId('link-max-uses').fill('3');
    await owner.getByTestId('link-create').click();
    await owner.getByTestId('invite-link').waitFor(WAIT);
    inviteLink = await owner.getByTestId('invite-link').inputValue();
    expect(inviteLink).toMatch(new RegExp(`^${server!.url.replace(/\/$/, '')}/#invite=[A-Za-z0-9_-]{20,}$`));
    await owner.getByTestId('invite-link-copy').click();
    await owner.locator('[data-testid="invite-link-copy-status"][data-state="copied"]').waitFor(WAIT);
    expect(await owner.evaluate(() => navigator.clipboard.readText())).toBe(inviteLink);
    await owner.getByTestId('dialog-close').click();
    await owner.getByTestId('invite-dialog').waitFor({ state: 'detached', ...WAIT });

    // The guest opens the link logged out, registers, and lands in the room; the fragment is consumed.
    await guest.goto(inviteLink);
    await register(guest, GUEST);
    await guest.getByTestId('composer').waitFor(WAIT);
    expect(await guest.locator('#room-title').textContent()).toBe(ROOM);
    expect(new URL(guest.url()).hash).not.toContain('invite=');
    // The link is redeemed only once the guest's device has KeyPackages for the room's suite, so the owner's
    // client adds it to the group on member.joined and the guest can read what is said next.
    const redeemed = guestCalls.findIndex((c) => /^POST \/api\/links\/[^/]+\/redeem 200$/.test(c));
    const uploads = guestCalls
      .slice(0, Math.max(redeemed, 0))
      .filter((c) => /^POST \/api\/devices\/[^/]+\/key-packages 201$/.test(c));
    expect(redeemed).toBeGreaterThan(0);
    expect(uploads).toHaveLength(2); // one batch per suite
    // A member sees no governance tools but the member list.
    expect(await guest.getByTestId('invite-open').count()).toBe(0);
    expect(await guest.getByTestId('room-settings-open').count()).toBe(0);
    expect(await member(guest, OWNER.username).getByTestId('member-menu').count()).toBe(0);

    // The owner sees the newcomer live and makes them moderator.
    await member(owner, GUEST.username).waitFor(WAIT);
    await member(owner, GUEST.username).getByTestId('member-menu').click();
    const roles = await member(owner, GUEST.username)
      .getByTestId('member-role-select')
      .locator('option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    expect(roles).toEqual(['owner', 'admin', 'moderator', 'member']);
    await member(owner, GUEST.username).getByTestId('member-role-select').selectOption('moderator');
    await member(owner, GUEST.username).getByTestId('member-role-save').click();
    await owner
      .locator(`[data-testid="member-item"][data-username="${GUEST.username}"][data-role="moderator"]`)
      .waitFor(WAIT);
    await guest
      .locator(`[data-testid="member-item"][data-username="${GUEST.username}"][data-role="moderator"]`)
      .waitFor(WAIT);

    // The owner posts; the moderator deletes it; both screens show the tombstone at once.
    await send(owner, DOOMED);
    await message(guest, DOOMED).waitFor(WAIT);
    const seq = await message(owner, DOOMED).getAttribute('data-seq');
    await message(guest, DOOMED).getByTestId('message-delete').click();
    await message(guest, DOOMED).getByTestId('message-delete-confirm').click();

    for (const page of [guest, owner]) {
      const tombstone = page.locator(`[data-testid="message"][data-seq="${seq}"]`);
      await tombstone.getByTestId('message-deleted').waitFor(WAIT);
      expect(await tombstone.getByTestId('message-deleted').textContent()).toBe('Message deleted');
      expect(await tombstone.getByTestId('message-body').count()).toBe(0);
      expect(await page.getByTestId('message-list').textContent()).not.toContain(DOOMED);
    }

    mkdirSync(RESULTS_DIR, { recursive: true });
    await owner.screenshot({ path: `${RESULTS_DIR}governance.png` });

    // History agrees after a reload: the seq stays, as a tombstone without its body.
    await guest.reload();
    await connected(guest);
    await guest.locator(`[data-testid="message"][data-seq="${seq}"] [data-testid="message-deleted"]`).waitFor(WAIT);
    expect(await guest.getByTestId('message-list').textContent()).not.toContain(DOOMED);
  });

  it('records every step in a verified audit log', async () => {
    await owner.getByTestId('audit-open').click();
    await owner.locator('[data-testid="audit-verified"][data-verified="true"]').waitFor(WAIT);
    const actions = await owner
      .getByTestId('audit-entry')
      .evaluateAll((entries) => entries.map((e) => (e as HTMLElement).dataset.action));
    expect(actions).toEqual(['message.deleted', 'member.role', 'link.redeemed', 'link.created', 'room.created']);
    await owner.keyboard.press('Escape');
    await owner.getByTestId('audit-dialog').waitFor({ state: 'detached', ...WAIT });
    // A moderator may not read the audit log, so is not offered it.
    expect(await guest.getByTestId('audit-open').count()).toBe(0);
  });

  it('tells a kicked member why the room closed, and brings them back by invitation', async () => {
    await member(owner, GUEST.username).getByTestId('member-menu').click();
    await member(owner, GUEST.username).getByTestId('member-reason').fill('cooling off');
    await member(owner, GUEST.username).getByTestId('member-kick').click();
    await member(owner, GUEST.username).getByTestId('member-kick-confirm').click();

    await guest.getByTestId('room-notice').filter({ hasText: 'cooling off' }).waitFor(WAIT);
    expect(await guest.getByTestId('room-notice').textContent()).toContain(OWNER.displayName);
    expect(await guest.getByTestId('composer').count()).toBe(0);
    await member(owner, GUEST.username).waitFor({ state: 'detached', ...WAIT });

    // An invitation by name reaches the guest live, on the sidebar.
    await owner.getByTestId('invite-open').click();
    await owner.getByTestId('invite-username').fill(GUEST.username);
    await owner.getByTestId('invite-user-submit').click();
    await owner.getByTestId('invite-user-sent').waitFor(WAIT);
    await owner.getByTestId('dialog-close').click();

    const invitation = guest.locator(`[data-testid="invitation-item"][data-room-name="${ROOM}"]`);
    await invitation.waitFor(WAIT);
    await invitation.getByTestId('invitation-accept').click();
    await guest.getByTestId('composer').waitFor(WAIT);
    expect(await guest.locator('#room-title').textContent()).toBe(ROOM);
    await member(owner, GUEST.username).waitFor(WAIT);
    expect(await member(owner, GUEST.username).getAttribute('data-role')).toBe('member');
  });

  it('explains an invite link that no longer works', async () => {
    const { page } = await newPage();
    await page.goto(`${server!.url}/#invite=not-a-real-token`);
    await register(page, { username: `late_${suffix}`, displayName: `Late ${suffix}` });
    await page.getByTestId('invite-redemption').filter({ hasText: 'does not exist' }).waitFor(WAIT);
    expect(new URL(page.url()).hash).toBe('');
  });

  it('threw no uncaught error in any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
