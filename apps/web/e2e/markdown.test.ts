import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/src/test/harness.js';
import { launchChromium, type Person, registerInUi, roomItem } from './support.js';

// Requires the built client (`npm run build -w apps/web`), which the server serves from apps/web/dist, under the
// server's Content-Security-Policy.

const RESULTS_DIR = fileURLToPath(new URL('../../../test-results/', import.meta.url));
const WAIT = { timeout: 10_000 };
const suffix = Math.random().toString(36).slice(2, 8);
const ALICE = { username: `alice_${suffix}`, displayName: `Alice ${suffix}` };
const BOB = { username: `bob_${suffix}`, displayName: `Bob ${suffix}` };
const ROOM = `Maths ${suffix}`;

/** Everything the brief asks a message to show, hostile parts included. */
const RICH = [
  'Results: **bold claim**, `inline code` and inline math $E = mc^2$.',
  '',
  '- first item',
  '- second item, with a long line that has to wrap inside the message rather than widen it: ' +
    'lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.',
  '',
  '```python',
  'def integrate(f, a, b, n=1000):',
  '    h = (b - a) / n  # a long comment that goes on and on so that the code block has to wrap it somewhere',
  '    return h * sum(f(a + (i + 0.5) * h) for i in range(n))',
  '```',
  '',
  '| Sample | Mean | σ |',
  '|:--|--:|--:|',
  '| control | 1.02 | 0.10 |',
  '| treated | 1.35 | 0.12 |',
  '',
  '$$\\int_0^1 x^2\\,dx = \\tfrac13$$',
  '',
  'See the [doc](https://example.org) and this [bad](javascript:alert(1)) link.',
  'An image: ![tracking pixel](https://tracker.example/pixel.png)',
  '<img src=x onerror=alert(1)>',
  '<script>window.__pwned=1</script>',
].join('\n');

/**
 * Formulas that take seconds to minutes with KaTeX's defaults: a macro bomb, a huge matrix; then two of the costliest
 * kinds that the limits let through, up to the message's budget, and one more past it.
 */
const HOSTILE = [
  'Hostile maths:',
  `$\\def\\a{${'x'.repeat(400)}}\\def\\b{${'\\a'.repeat(200)}}\\b$`,
  `$$\\begin{matrix}${'&'.repeat(1500)}\\end{matrix}$$`,
  `$$${'x+'.repeat(499)}x$$`,
  `$$${'\\sqrt{'.repeat(142)}x${'}'.repeat(142)}$$`,
  `$$${'x+'.repeat(10)}x$$`,
].join('\n\n');

/**
 * The longest a single main-thread task may take while hostile messages render: generous for a loaded two-core
 * machine (about a second is usual), far below what the same messages cost unguarded (seconds to minutes).
 */
const LONGEST_TASK_MS = 3_000;

let server: { url: string; close(): Promise<void> } | undefined;
let browser: Browser | undefined;
let alice: Page;
let bob: Page;

interface Watch {
  pageErrors: string[];
  cspConsole: string[];
  foreignRequests: string[];
}

const watches = new Map<Page, Watch>();

/**
 * A page, watched from its first script on: page errors, CSP reports on the console, requests to anywhere but the
 * server, and the page's own `securitypolicyviolation` events (collected by an init script, read by `violations`).
 */
async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser!.newContext({ viewport: { width: 1100, height: 900 }, locale: 'en-US' });
  await context.addInitScript(() => {
    const seen: string[] = [];
    const longest = { ms: 0 };
    Object.assign(window, { __cspViolations: seen, __longestTask: longest });
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longest.ms = Math.max(longest.ms, entry.duration);
    }).observe({ type: 'longtask' });
  });
  const page = await context.newPage();
  const watch: Watch = { pageErrors: [], cspConsole: [], foreignRequests: [] };
  page.on('pageerror', (error) => watch.pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) watch.cspConsole.push(message.text());
  });
  page.on('request', (request) => {
    const url = request.url();
    if (
      !url.startsWith(server!.url) &&
      !url.startsWith('data:') &&
      !url.startsWith(server!.url.replace('http', 'ws'))
    ) {
      watch.foreignRequests.push(url);
    }
  });
  watches.set(page, watch);
  return { context, page };
}

/** The longest task the page's main thread has run since it loaded or since the last call. */
function takeLongestTask(page: Page): Promise<number> {
  return page.evaluate(() => {
    const longest = (window as unknown as { __longestTask: { ms: number } }).__longestTask;
    const ms = longest.ms;
    longest.ms = 0;
    return ms;
  });
}

function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
}

async function expectCleanPage(page: Page): Promise<void> {
  const watch = watches.get(page)!;
  expect(watch.pageErrors).toEqual([]);
  expect(watch.cspConsole).toEqual([]);
  expect(await violations(page)).toEqual([]);
  expect(watch.foreignRequests).toEqual([]);
}

async function registerAndLogIn(page: Page, who: Person): Promise<void> {
  await page.goto(server!.url);
  await registerInUi(page, who, WAIT);
}

function body(page: Page, text: string) {
  return page.getByTestId('message').filter({ hasText: text }).getByTestId('message-body');
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
}

/** Sends a long body: the composer's value is set as a paste would (Playwright's `fill` takes long on such text). */
async function sendLong(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer').evaluate((el, value) => {
    Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!.set!.call(el, value);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, text);
  await page.getByTestId('composer').press('Enter');
}

/** What a reader should see of the rich message, checked element by element. */
async function expectRichMessage(page: Page): Promise<void> {
  const rich = body(page, 'Results:');
  await rich.locator('.katex').nth(1).waitFor(WAIT);

  expect(await rich.locator('strong').textContent()).toBe('bold claim');
  expect(await rich.locator('p > code').first().textContent()).toBe('inline code');
  expect(await rich.locator('li').count()).toBe(2);

  // One .katex per formula: inline E = mc², and the display integral on a line of its own.
  expect(await rich.locator('.katex').count()).toBe(2);
  expect(await rich.locator('.katex-display .katex').count()).toBe(1);
  expect(await rich.locator('.katex-error').count()).toBe(0);
  expect(await rich.locator('.katex annotation').allTextContents()).toEqual([
    'E = mc^2',
    '\\int_0^1 x^2\\,dx = \\tfrac13',
  ]);

  const table = rich.locator('table');
  expect(await table.count()).toBe(1);
  expect(await table.locator('th').allTextContents()).toEqual(['Sample', 'Mean', 'σ']);
  expect(await table.locator('tbody tr').count()).toBe(2);

  const code = rich.locator('pre > code');
  expect(await code.count()).toBe(1);
  expect(await code.textContent()).toContain('def integrate(f, a, b, n=1000):');
  expect(await code.getAttribute('class')).toBe('language-python');

  const doc = rich.locator('a', { hasText: 'doc' });
  expect(await doc.getAttribute('href')).toBe('https://example.org/');
  expect(await doc.getAttribute('target')).toBe('_blank');
  expect(await doc.getAttribute('rel')).toBe('noopener noreferrer nofollow');

  // The javascript: link is text, not a link; the image is a link to its address, never loaded.
  expect(await rich.locator('a[href^="javascript:" i]').count()).toBe(0);
  expect(await rich.locator('a', { hasText: 'bad' }).count()).toBe(0);
  expect(await rich.getByText('bad', { exact: true }).count()).toBe(1);
  expect(await rich.locator('img').count()).toBe(0);
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(await rich.locator('a.md-image').getAttribute('href')).toBe('https://tracker.example/pixel.png');

  // Raw HTML is shown as typed, and never runs.
  expect(await rich.textContent()).toContain('<img src=x onerror=alert(1)>');
  expect(await rich.textContent()).toContain('<script>window.__pwned=1</script>');
  expect(await page.locator('.message script').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  // KaTeX's fonts came from the server, under its CSP: those in use are loaded, none failed.
  const fonts = await page.evaluate(async () => {
    await document.fonts.ready;
    return [...document.fonts].map((face) => `${face.family.replaceAll('"', '')} ${face.status}`);
  });
  expect(fonts).toEqual(expect.arrayContaining(['KaTeX_Main loaded', 'KaTeX_Math loaded']));
  expect(fonts.filter((font) => font.endsWith(' error'))).toEqual([]);

  // Nothing is wider than the message: long lines wrap, the display formula and the table scroll in their boxes.
  const overflow = await rich.evaluate((el) => el.scrollWidth - el.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
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

describe('Markdown and math in messages', () => {
  it('renders Markdown, tables, code and math, and neither runs nor loads what a message slips in', async () => {
    await registerAndLogIn(alice, ALICE);
    await alice.getByTestId('create-room-name').fill(ROOM);
    await alice.getByTestId('create-room-visibility').selectOption('public');
    await alice.getByTestId('create-room-submit').click();
    await roomItem(alice, ROOM).waitFor(WAIT);
    await alice.getByTestId('composer').waitFor(WAIT);

    await registerAndLogIn(bob, BOB);
    await roomItem(bob, ROOM).getByTestId('join-room').click();
    await bob.getByTestId('composer').waitFor(WAIT);

    await send(alice, 'Plain **hello**\nsecond line');
    await body(bob, 'Plain').locator('strong').waitFor(WAIT);
    expect(await body(bob, 'Plain').textContent()).toBe('Plain hello\nsecond line');

    await send(alice, RICH);
    await expectRichMessage(bob);
    await expectRichMessage(alice);

    mkdirSync(RESULTS_DIR, { recursive: true });
    await bob.screenshot({ path: `${RESULTS_DIR}markdown.png` });

    await expectCleanPage(alice);
    await expectCleanPage(bob);
  });

  it('renders the history again after a reload', async () => {
    await bob.reload();
    await expectRichMessage(bob);
    await expectCleanPage(bob);
  });

  it('keeps hostile formulas from hanging the page', async () => {
    await takeLongestTask(bob);
    await sendLong(alice, HOSTILE);
    const hostile = body(bob, 'Hostile maths:');
    await hostile.locator('.katex').first().waitFor(WAIT);
    expect(
      await hostile.locator('code.math-source').evaluateAll((els) => els.map((el) => el.dataset.mathSkipped)),
    ).toEqual(['macro', 'too-long', 'over-budget']);
    expect(await hostile.locator('.katex-display').count()).toBe(2);
    const longest = await takeLongestTask(bob);
    console.log(`hostile formulas: longest main-thread task ${Math.round(longest)} ms`);
    expect(longest).toBeLessThan(LONGEST_TASK_MS);
    // The wide display formula scrolls in its own box instead of widening the message.
    expect(await hostile.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
    await expectCleanPage(bob);
  });

  it('shows Markdown the parser would choke on as plain text', async () => {
    // 7000 nested list items: minutes of parsing, then a stack overflow, if it went to the parser.
    const bomb = `Nesting bomb\n${'- '.repeat(7000)}x`;
    await takeLongestTask(bob);
    await sendLong(alice, bomb);
    await body(bob, 'Nesting bomb').locator('.plain-text').waitFor(WAIT);
    expect(await body(bob, 'Nesting bomb').textContent()).toBe(bomb);
    expect(await takeLongestTask(bob)).toBeLessThan(LONGEST_TASK_MS);
    await expectCleanPage(bob);
  });

  it('renders a room full of heavy messages one at a time, the page responsive in between', async () => {
    const heavyRoom = `Heavy ${suffix}`;
    await alice.getByTestId('create-room-name').fill(heavyRoom);
    await alice.getByTestId('create-room-visibility').selectOption('public');
    await alice.getByTestId('create-room-submit').click();
    await alice.locator('#room-title', { hasText: heavyRoom }).waitFor(WAIT);
    const heavy = (n: number) => `Heavy ${n}\n${'[a](https://example.org) '.repeat(600)}`;
    const numbers = [1, 2, 3, 4, 5, 6];
    for (const n of numbers) {
      await sendLong(alice, heavy(n));
      await body(alice, `Heavy ${n}`).locator('a').first().waitFor(WAIT);
    }

    // Bob (reloaded to see the new room) has the renderer loaded already, from the first room's messages: the
    // heavy room's history arrives in one go, and would render in one task.
    await bob.reload();
    await body(bob, 'Results:').locator('.katex').first().waitFor(WAIT);
    await roomItem(bob, heavyRoom).waitFor(WAIT);
    await takeLongestTask(bob);
    await roomItem(bob, heavyRoom).getByTestId('join-room').click();
    for (const n of numbers.reverse()) {
      await body(bob, `Heavy ${n}`).locator('a').first().waitFor(WAIT);
      expect(await body(bob, `Heavy ${n}`).locator('a').count()).toBe(600);
    }
    // Each body took a task of its own (a few hundred ms here): none as long as rendering all six (2 s or so).
    const longest = await takeLongestTask(bob);
    console.log(`room of heavy messages: longest main-thread task ${Math.round(longest)} ms`);
    expect(longest).toBeLessThan(1_200);

    await send(alice, 'Still responsive');
    await body(bob, 'Still responsive').waitFor(WAIT);
    await expectCleanPage(alice);
    await expectCleanPage(bob);
  });
});
