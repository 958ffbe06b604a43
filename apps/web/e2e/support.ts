import { type Browser, chromium } from 'playwright-core';

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
