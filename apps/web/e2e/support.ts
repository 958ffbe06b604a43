import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * Debian's Chromium, headless, with nothing that talks to the network on its own: what every browser test
 * launches. Never a downloaded browser.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The password of every account the browser tests register. */
export const PASSWORD = 'correct horse battery';

export interface Person {
  username: string;
  displayName: string;
}

/** Resolves once the page's real-time connection reports itself connected. */
export function connected(page: Page, wait: { timeout: number }): Promise<void> {
  return page.locator('[data-testid="connection-status"][data-status="connected"]').waitFor(wait);
}

/** Registers through the form of the page as it is (go to the server first), then waits to be connected. */
export async function registerInUi(page: Page, who: Person, wait: { timeout: number }): Promise<void> {
  await page.getByTestId('show-register').click();
  await page.getByTestId('register-username').fill(who.username);
  await page.getByTestId('register-displayname').fill(who.displayName);
  await page.getByTestId('register-password').fill(PASSWORD);
  await page.getByTestId('register-submit').click();
  await connected(page, wait);
}

/** A room in the room list, by name. */
export function roomItem(page: Page, name: string) {
  return page.locator(`[data-testid="room-item"][data-room-name="${name}"]`);
}

/** The messages on screen that contain `text`. */
export function messageItem(page: Page, text: string) {
  return page.getByTestId('message').filter({ hasText: text });
}
