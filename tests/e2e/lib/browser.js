// Debian's headless Chromium through playwright-core (never a browser download), and the checks
// every screen gets: a screenshot, axe-core (no serious or critical violations), no CSP
// violation or script error, and on a phone no horizontal scroll.

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverLogTail } from './server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const screenshotDir = path.resolve(here, '..', 'screenshots');
const require = createRequire(import.meta.url);
const axeSource = readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

// Playwright gives each launch a new, empty user-data-dir of its own.
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
  });
}

// For `after`: closes the browser and stops the dev server, whichever of them had started.
export async function shutDown(browser, server) {
  await browser?.close().catch(() => {});
  await server?.stop();
}

export const desktop = { viewport: { width: 1280, height: 900 } };
export const phone = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

// A page that records what must never happen: CSP violations, script errors, and state-changing
// API requests without the CSRF header.
export async function openPage(browser, baseUrl, options = desktop, { locale = 'ja-JP' } = {}) {
  const context = await browser.newContext({ ...options, baseURL: baseUrl, locale, timezoneId: 'Asia/Tokyo' });
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const page = await context.newPage();
  const problems = [];
  const apiWrites = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    // Chromium logs every 4xx answer; the API's refusals are expected ones.
    if (text.startsWith('Failed to load resource')) return;
    problems.push(`console error: ${text}`);
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/api/') && request.method() !== 'GET') {
      apiWrites.push({ method: request.method(), path: url.pathname, csrf: request.headers()['x-mypage-csrf'] });
    }
  });
  page.setDefaultTimeout(20_000);
  return { context, page, problems, apiWrites };
}

// Numbered per prefix, so each series of screenshots (phone-01, renewal-01, ...) counts from 1.
const shotCounters = new Map();

// Screenshot, axe, CSP and (optionally) no-horizontal-scroll check for the screen now shown.
export async function checkScreen(session, name, { phoneLayout = false, prefix = '' } = {}) {
  const { page, problems } = session;
  await page.waitForFunction(() => !document.getElementById('main')?.hasAttribute('aria-busy'));
  await page.evaluate(() => document.fonts.ready);
  await mkdir(screenshotDir, { recursive: true });
  const count = (shotCounters.get(prefix) ?? 0) + 1;
  shotCounters.set(prefix, count);
  const file = `${prefix}${String(count).padStart(2, '0')}-${name}.png`;
  await page.screenshot({ path: path.join(screenshotDir, file), fullPage: true });

  if (phoneLayout) {
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    assert.ok(widths.scroll <= widths.client, `${name}: horizontal scroll on a phone (${widths.scroll} > ${widths.client})`);
  }

  await runAxe(page, name);

  const csp = await page.evaluate(() => window.__cspViolations ?? []);
  assert.deepEqual(csp, [], `${name}: CSP violations`);
  assert.deepEqual(problems, [], `${name}: errors in the page`);
  return file;
}

export async function runAxe(page, name) {
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!hasAxe) {
    // Evaluated through the DevTools protocol, so the page's CSP does not apply to it.
    await page.evaluate(await axeSource);
  }
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    }),
  );
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const describe = (list) =>
    list.map((v) => `${v.impact} ${v.id}: ${v.help} -> ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('\n');
  const minor = result.violations.filter((v) => !serious.includes(v));
  if (minor.length) console.log(`# axe (${name}), minor:\n${describe(minor)}`);
  assert.equal(serious.length, 0, `${name}: axe found serious/critical violations:\n${describe(serious)}`);
}

// Presses Tab until the element matching the locator has focus (keyboard-only use).
export async function tabTo(page, locator, maxPresses = 40) {
  const handle = await locator.elementHandle();
  for (let i = 0; i < maxPresses; i += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate((el) => document.activeElement === el, handle);
    if (focused) return;
  }
  throw new Error(`could not reach ${locator} with the Tab key`);
}

// Waits for the route and for its screen to finish loading.
export async function waitForScreen(page, hashPrefix, headingText) {
  try {
    await page.waitForFunction((prefix) => window.location.hash.startsWith(prefix), hashPrefix);
    await page.waitForFunction(() => !document.getElementById('main')?.hasAttribute('aria-busy'));
    if (headingText) await page.locator('h1', { hasText: headingText }).waitFor();
  } catch (error) {
    // Keep a picture of what the patron saw instead.
    await mkdir(screenshotDir, { recursive: true });
    const where = await page.evaluate(() => window.location.hash).catch(() => '?');
    const file = `FAILED-${Date.now()}.png`;
    await page.screenshot({ path: path.join(screenshotDir, file), fullPage: true }).catch(() => {});
    error.message += `\n(waiting for ${hashPrefix} "${headingText ?? ''}", at ${where}; screenshot ${file})`;
    error.message += `\nserver log:\n${serverLogTail()}`;
    throw error;
  }
}

// Opens a screen by its address (`#/...`) and waits for it.
export async function visit(page, hash, headingText) {
  await page.goto(`/${hash}`);
  await waitForScreen(page, hash, headingText);
}

// Opens the site's own address: a patron not logged in lands on ログイン.
export async function visitStart(page) {
  await page.goto('/');
  await waitForScreen(page, '#/login', 'ログイン');
}

// Follows a link of the site menu to the screen headed with the link's words.
export async function openFromMenu(page, name, hashPrefix) {
  await page.locator('#site-nav').getByRole('link', { name }).click();
  await waitForScreen(page, hashPrefix, name);
}

// Logs in from the ログイン screen now shown.
export async function logIn(page, card, password) {
  await page.getByLabel('図書館カード番号').fill(card);
  await page.getByLabel('パスワード', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'ログイン' }).click();
}

// Searches from the header's box (any screen, either language) and waits for the results.
export async function searchFor(page, words) {
  const box = page.getByRole('searchbox', { name: /蔵書検索|Search the catalog/ });
  // The screen being left may be an earlier search: mark its summary so that only the new
  // results' summary, naming these words, counts as arrived.
  await page.evaluate(() => document.querySelector('#main .search-summary')?.setAttribute('data-stale', ''));
  await box.fill(words);
  await box.press('Enter');
  await waitForScreen(page, '#/search?', null);
  await page.locator('#main .search-summary:not([data-stale])', { hasText: words.trim() }).waitFor();
}

// Logs in from a fresh start: the ログイン screen, then 貸出一覧, where a patron lands.
export async function logInAtStart(page, { card, password }) {
  await visit(page, '#/login', 'ログイン');
  await logIn(page, card, password);
  await waitForScreen(page, '#/loans', '貸出一覧');
}
