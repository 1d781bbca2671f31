// Two screens of the reminder and calendar work: the one-tap renewal page that the due-date
// reminder links to (R-MAIL-7: 確認 → 変更する, no login, nothing changes on opening), and
// カレンダー配信 on お知らせメール設定 (R-CAL-3: a private iCalendar URL, remade and stopped).
// The renewal links are real ones: the reminder job mails them, the test reads the outbox.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.js';
import { staffClient, titleWithCopy, activatePatron } from '../lib/staff.js';
import { launchBrowser, openPage, checkScreen, waitForScreen, visit, shutDown, logIn, logInAtStart, desktop, phone } from '../lib/browser.js';

const CHECKOUT_DAY = '2026-11-25T10:00:00+09:00'; // due 14 days later: Wednesday 2026-12-09
const REMINDER_DAY = '2026-12-06T09:00:00+09:00'; // 3 days before; a renewal then is due 12-20
const PATRON = { card: '50260001', name: '北山 杉子', password: 'Kitayama55', email: 'sugiko@example.jp' };
const OTHER = { card: '50260002', name: '南座 次郎' };
const T = {
  renew: { bib: 'R-RENEW', title: '鴨川の朝' },
  held: { bib: 'R-HELD', title: '東山の夕暮れ' },
  spare: { bib: 'R-SPARE', title: '北山杉の森' },
};

let server;
let staff;
let browser;
let patronToken;
const links = {}; // bib_id -> "/#/renewal?token=..." from the reminder email

// The patron's own API, with a bearer token (what the page shows is checked against it).
async function patronApi(method, path, body) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${patronToken}`,
      Accept: 'application/json',
      ...(method === 'GET' ? {} : { 'X-MyPage-CSRF': '1' }),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, data: text ? JSON.parse(text) : null };
}

async function apiLogin() {
  const { status, data } = await staff.raw('POST', '/api/session', { card_number: PATRON.card, password: PATRON.password });
  assert.equal(status, 200, JSON.stringify(data));
  patronToken = data.token;
}

async function loanOf(bib) {
  const { status, data } = await patronApi('GET', '/api/me/loans');
  assert.equal(status, 200);
  const loan = data.loans.find((l) => l.bib_id === bib);
  assert.ok(loan, `a loan of ${bib}`);
  return loan;
}

// The feed as a phone's calendar reads it: from the URL's path on this test's server (the
// URL names the configured site, which is not this server's port), lines unfolded (RFC 5545).
async function readFeed(url) {
  const response = await fetch(`${server.baseUrl}${new URL(url).pathname}`);
  const body = (await response.text()).replace(/\r\n[ \t]/g, '');
  return { status: response.status, type: response.headers.get('content-type') ?? '', body };
}

function renewalCalls(session) {
  return session.apiWrites.filter((w) => w.path.startsWith('/api/renewal-links/'));
}

// The reminder's renewal link for `bib`, opened on a new page (no login): its 確認 screen.
async function openRenewalLink(bib, options = desktop) {
  const session = await openPage(browser, server.baseUrl, options);
  await session.page.goto(links[bib]);
  await waitForScreen(session.page, '#/renewal', '確認');
  return session;
}

// The renewal page says why it cannot renew, and offers no 変更する.
async function assertRefused(page, reason) {
  await page.locator('#main .notice--error', { hasText: reason }).waitFor();
  assert.equal(await page.getByRole('button', { name: '変更する' }).count(), 0);
}

async function openNotifications(session) {
  await visit(session.page, '#/notifications', 'お知らせメール設定');
  return session.page.getByRole('region', { name: 'カレンダー配信' });
}

before(async () => {
  server = await startServer({ now: CHECKOUT_DAY });
  staff = staffClient(server.baseUrl);
  await staff.patron(PATRON.card, PATRON.name);
  await staff.patron(OTHER.card, OTHER.name);
  await activatePatron(server.baseUrl, staff, PATRON.card, PATRON.password);
  await apiLogin();

  // A verified address and the due-date reminder, before the checkouts (the loans carry it).
  assert.equal((await patronApi('PUT', '/api/me/email', { email: PATRON.email })).status, 202);
  const verification = await staff.verificationToken(PATRON.email);
  assert.ok(verification, 'a verification email');
  const verified = await staff.raw('POST', '/api/email-verification', { token: verification }, { 'X-MyPage-CSRF': '1' });
  assert.equal(verified.status, 204);
  const settings = { due_reminder: true, new_arrivals: { enabled: false, authors: [], subjects: [], keywords: [] } };
  assert.equal((await patronApi('PUT', '/api/me/notifications', settings)).status, 204);

  for (const { bib, title } of Object.values(T)) {
    const barcode = await titleWithCopy(staff, bib, title, '洛北 文庫');
    await staff.checkout(PATRON.card, barcode);
  }

  await staff.setClock(REMINDER_DAY);
  await apiLogin(); // the session of checkout day has long expired
  await staff.run('due-reminders');
  const outbox = await staff.outbox();
  const mail = outbox.find((m) => JSON.stringify(m.to).includes(PATRON.email) && /返却期限日のお知らせ/.test(m.subject));
  assert.ok(mail, `a due-date reminder in the outbox: ${JSON.stringify(outbox).slice(0, 400)}`);
  for (const { bib, title } of Object.values(T)) {
    const after = mail.text.slice(mail.text.indexOf(`・${title}`));
    const found = /#\/renewal\?token=([A-Za-z0-9_-]+)/.exec(after);
    assert.ok(found, `a renewal link for ${title} in:\n${mail.text}`);
    links[bib] = `/#/renewal?token=${found[1]}`;
  }
  browser = await launchBrowser();
});

after(() => shutDown(browser, server));

describe('one-tap renewal from the reminder (R-MAIL-7)', () => {
  let visitor; // the patron's phone mail app opening the link: no login

  it('the link shows 確認 with the title, the current and the new due date, and changes nothing', async () => {
    visitor = await openRenewalLink(T.renew.bib);
    const { page } = visitor;
    const card = page.locator('#main .card');
    assert.equal(await card.locator('h2').innerText(), T.renew.title);
    const facts = await card.innerText();
    assert.match(facts, /現在の返却期限日\s*2026年12月9日（水）/);
    assert.match(facts, /延長後の返却期限日\s*2026年12月20日（日）/);
    await page.getByRole('button', { name: '変更する' }).waitFor();
    assert.ok(!(await page.title()).includes(links[T.renew.bib].split('=')[1]), 'no token in the page title');
    await checkScreen(visitor, 'confirm', { prefix: 'renewal-' });

    assert.deepEqual(renewalCalls(visitor), [], 'opening the link sent no POST');
    const loan = await loanOf(T.renew.bib);
    assert.equal(loan.due_date, '2026-12-09');
    assert.equal(loan.renewed, false);
  });

  it('変更する renews: the new due date is shown and the token leaves the address bar', async () => {
    const { page } = visitor;
    await page.getByRole('button', { name: '変更する' }).click();
    await page.locator('#main .notice--success', { hasText: '新しい返却期限日は2026年12月20日（日）です' }).waitFor();
    assert.equal(new URL(page.url()).hash, '#/renewal', 'the used token is gone from the address');
    const loan = await loanOf(T.renew.bib);
    assert.equal(loan.due_date, '2026-12-20');
    assert.equal(loan.renewed, true);
    assert.deepEqual(renewalCalls(visitor).map((w) => [w.method, w.csrf]), [['POST', '1']]);
    await page.getByRole('link', { name: 'ログインして貸出一覧へ' }).waitFor();
    await checkScreen(visitor, 'renewed', { prefix: 'renewal-' });

    // The language switch redraws the outcome from memory: no second request, same answer.
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('#main .notice--success', { hasText: 'Renewed. The new due date is Sun 20 Dec 2026.' }).waitFor();
    assert.equal(renewalCalls(visitor).length, 1);
    await checkScreen(visitor, 'renewed-english', { prefix: 'renewal-' });
    await page.getByRole('button', { name: '日本語' }).click();
    await page.locator('#main .notice--success', { hasText: '貸出期間を延長しました' }).waitFor();
    await visitor.context.close();
  });

  it('the used link, opened again: the link can no longer be used; login leads to 貸出一覧', async () => {
    const again = await openRenewalLink(T.renew.bib);
    const { page } = again;
    await assertRefused(page, 'このリンクはもう使えません');
    assert.equal(new URL(page.url()).hash, '#/renewal', 'a dead token is gone from the address too');
    const answer = await fetch(`${server.baseUrl}/api/renewal-links/${links[T.renew.bib].split('=')[1]}`);
    assert.equal(answer.status, 404);
    assert.equal((await answer.json()).error.code, 'link_not_found');
    await checkScreen(again, 'used', { prefix: 'renewal-' });

    await page.getByRole('link', { name: 'ログインして貸出一覧へ' }).click();
    await waitForScreen(page, '#/login', 'ログイン');
    assert.match(page.url(), /next=%2Floans/);
    await logIn(page, PATRON.card, PATRON.password);
    await waitForScreen(page, '#/loans', '貸出一覧');
    await again.context.close();
  });

  it('a hold placed by another patron meanwhile: the refusal in words (409), on 変更する and on opening', async () => {
    const session = await openRenewalLink(T.held.bib);
    const { page } = session;
    await page.getByRole('button', { name: '変更する' }).waitFor();
    await staff.hold(OTHER.card, T.held.bib);

    await page.getByRole('button', { name: '変更する' }).click();
    const refusal = '延長できません：他の利用者が貸出待ち登録をしています。';
    await assertRefused(page, refusal);
    assert.match(await page.locator('#main .card').innerText(), /東山の夕暮れ[\s\S]*2026年12月9日/);
    const loan = await loanOf(T.held.bib);
    assert.equal(loan.due_date, '2026-12-09');
    assert.equal(loan.renewed, false);
    await checkScreen(session, 'refused', { prefix: 'renewal-' });

    // The link lives on (the hold may be cancelled); opening it now answers 409 at once.
    assert.match(page.url(), /token=/);
    await page.reload();
    await waitForScreen(page, '#/renewal', '確認');
    await assertRefused(page, refusal);
    await session.context.close();
  });

  it('a token the library never sent: not found; a link without a token: a clear message and no request', async () => {
    const asked = [];
    const watch = (session) =>
      session.page.on('request', (request) => {
        if (new URL(request.url()).pathname.startsWith('/api/renewal-links/')) asked.push(request.url());
      });
    const session = await openPage(browser, server.baseUrl, desktop);
    watch(session);
    const { page } = session;
    for (const token of ['AAAAAAAAAAAAAAAAAAAAAA', 'short']) {
      await page.goto(`/#/renewal?token=${token}`);
      await waitForScreen(page, '#/renewal', '確認');
      await assertRefused(page, 'このリンクはもう使えません');
    }
    assert.equal(asked.length, 2);
    await checkScreen(session, 'unknown-token', { prefix: 'renewal-' });
    await session.context.close();

    const cut = await openPage(browser, server.baseUrl, desktop);
    watch(cut);
    for (const hash of ['#/renewal', '#/renewal?token=']) {
      await cut.page.goto(`/${hash}`);
      await waitForScreen(cut.page, '#/renewal', '確認');
      await assertRefused(cut.page, 'リンクが途中で切れているようです');
    }
    assert.equal(asked.length, 2, 'no request without a token');
    await checkScreen(cut, 'missing-token', { prefix: 'renewal-' });
    await cut.context.close();
  });

  it('the confirm page on a 360 px phone, and in English', async () => {
    const small = await openRenewalLink(T.spare.bib, phone);
    const { page } = small;
    await page.getByRole('button', { name: '変更する' }).waitFor();
    await checkScreen(small, 'phone-confirm', { phoneLayout: true, prefix: 'renewal-' });
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('h1', { hasText: 'Confirm' }).waitFor();
    const text = await page.locator('#main').innerText();
    assert.match(text, /Current due date\s*Wed 9 Dec 2026/);
    assert.match(text, /New due date\s*Sun 20 Dec 2026/);
    await page.getByRole('button', { name: 'Renew now' }).waitFor();
    await checkScreen(small, 'phone-confirm-english', { phoneLayout: true, prefix: 'renewal-' });
    await page.getByRole('button', { name: '日本語' }).click();
    await page.locator('h1', { hasText: '確認' }).waitFor();
    assert.deepEqual(renewalCalls(small), []);
    assert.equal((await loanOf(T.spare.bib)).renewed, false, 'looking renewed nothing');
    await small.context.close();
  });
});

describe('カレンダー配信 on お知らせメール設定 (R-CAL-3)', () => {
  let desk;
  let firstUrl;
  let secondUrl;

  it('no feed at first; 新しいURLを作る makes one without titles, read as text/calendar', async () => {
    desk = await openPage(browser, server.baseUrl, desktop);
    await desk.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
    await logInAtStart(desk.page, PATRON);
    const { page } = desk;
    const section = await openNotifications(desk);
    assert.match(await section.innerText(), /現在、カレンダー配信はしていません/);
    assert.match(await section.innerText(), /このURLを知っている人は誰でも、あなたの返却期限日を見ることができます/);
    assert.match(await section.innerText(), /パスワードを変更すると配信は止まります/);
    const titles = section.getByLabel('書名を含める');
    assert.equal(await titles.isChecked(), false);
    const hint = await page.locator(`#${await titles.getAttribute('aria-describedby')}`).innerText();
    assert.match(hint, /カレンダーを共有している人/);
    await checkScreen(desk, 'none', { prefix: 'feed-' });

    await section.getByRole('button', { name: '新しいURLを作る' }).click();
    await section.getByRole('status').filter({ hasText: '配信URLを作りました' }).waitFor();
    const field = section.getByLabel('配信URL');
    firstUrl = await field.inputValue();
    assert.match(firstUrl, /^https?:\/\/[^/]+\/api\/calendar-feeds\/[A-Za-z0-9_-]{32,64}$/);
    assert.equal(await field.getAttribute('readonly'), '');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'feed_url');
    const webcal = await section.getByRole('link', { name: 'カレンダーアプリで開く' }).getAttribute('href');
    assert.equal(webcal, firstUrl.replace(/^https?:/, 'webcal:'));
    assert.match(await section.innerText(), /書名は入っていません/);
    const shown = await patronApi('GET', '/api/me/calendar-feed');
    assert.deepEqual(shown.data, { url: firstUrl, include_titles: false });

    const feed = await readFeed(firstUrl);
    assert.equal(feed.status, 200);
    assert.match(feed.type, /^text\/calendar/);
    assert.match(feed.body, /DTSTART;VALUE=DATE:20261220/, 'the renewed loan on its new due date');
    assert.match(feed.body, /DTSTART;VALUE=DATE:20261209/, 'the other loans');
    for (const { title } of Object.values(T)) assert.ok(!feed.body.includes(title), `no title ${title} in the feed`);
    await checkScreen(desk, 'made', { prefix: 'feed-' });
  });

  it('コピー copies the URL, or selects it where the clipboard is refused, and says which', async () => {
    const { page } = desk;
    const section = page.getByRole('region', { name: 'カレンダー配信' });
    await section.getByRole('button', { name: 'コピー', exact: true }).click();
    await section.getByRole('status').filter({ hasText: '配信URLをコピーしました' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), firstUrl);

    await page.evaluate(() => Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true }));
    await section.getByRole('button', { name: 'コピー', exact: true }).click();
    await section.getByRole('status').filter({ hasText: '自動ではコピーできませんでした' }).waitFor();
    const selection = await page.evaluate(() => {
      const el = document.activeElement;
      return { name: el?.getAttribute('name'), start: el?.selectionStart, end: el?.selectionEnd, length: el?.value.length };
    });
    assert.deepEqual(selection, { name: 'feed_url', start: 0, end: firstUrl.length, length: firstUrl.length });
    await checkScreen(desk, 'copy-fallback', { prefix: 'feed-' });
  });

  it('a new URL with titles: asked first; the old URL stops working (404), the new one names the titles', async () => {
    const { page } = desk;
    await page.reload();
    await waitForScreen(page, '#/notifications', 'お知らせメール設定');
    const section = page.getByRole('region', { name: 'カレンダー配信' });
    await section.getByLabel('書名を含める').check();
    await section.getByRole('button', { name: '新しいURLを作る' }).click();
    const question = section.getByRole('group');
    await question.filter({ hasText: '今のURLは使えなくなり' }).waitFor();
    await checkScreen(desk, 'replace-confirm', { prefix: 'feed-' });
    // やめる keeps the URL as it is.
    await question.getByRole('button', { name: 'やめる' }).click();
    assert.equal(await section.getByLabel('配信URL').inputValue(), firstUrl);
    assert.equal((await readFeed(firstUrl)).status, 200);

    await section.getByRole('button', { name: '新しいURLを作る' }).click();
    await section.getByRole('button', { name: '今のURLを止めて新しいURLを作る' }).click();
    await section.getByRole('status').filter({ hasText: '新しい配信URLを作りました' }).waitFor();
    secondUrl = await section.getByLabel('配信URL').inputValue();
    assert.notEqual(secondUrl, firstUrl);
    assert.match(await section.innerText(), /書名が入っています/);
    assert.equal(await section.getByLabel('書名を含める').isChecked(), true);

    assert.equal((await readFeed(firstUrl)).status, 404, 'the old URL stopped');
    const feed = await readFeed(secondUrl);
    assert.equal(feed.status, 200);
    assert.match(feed.body, /SUMMARY:返却期限日: 鴨川の朝/);
    assert.match(feed.body, /SUMMARY:返却期限日: 北山杉の森/);
    await checkScreen(desk, 'replaced', { prefix: 'feed-' });
  });

  it('配信を止める, after a question: the URL answers 404 and there is no feed', async () => {
    const { page } = desk;
    const section = page.getByRole('region', { name: 'カレンダー配信' });
    await section.getByRole('button', { name: '配信を止める' }).click();
    await section.getByRole('group').filter({ hasText: '配信を止めますか' }).waitFor();
    await section.getByRole('button', { name: '配信を止める（確定）' }).click();
    await section.getByRole('status').filter({ hasText: 'カレンダー配信を止めました' }).waitFor();
    assert.match(await section.innerText(), /現在、カレンダー配信はしていません/);
    assert.equal(await section.getByLabel('配信URL').count(), 0);
    assert.equal((await readFeed(secondUrl)).status, 404);
    const shown = await patronApi('GET', '/api/me/calendar-feed');
    assert.equal(shown.status, 404);
    assert.equal(shown.data.error.code, 'feed_not_found');
    await checkScreen(desk, 'stopped', { prefix: 'feed-' });
    const writes = desk.apiWrites.filter((w) => w.path === '/api/me/calendar-feed');
    assert.deepEqual(writes.map((w) => [w.method, w.csrf]), [['POST', '1'], ['POST', '1'], ['DELETE', '1']]);
    await desk.context.close();
  });

  it('the section on a 360 px phone, and in English', async () => {
    const small = await openPage(browser, server.baseUrl, phone);
    await logInAtStart(small.page, PATRON);
    const { page } = small;
    const section = await openNotifications(small);
    await section.getByRole('button', { name: '新しいURLを作る' }).click();
    await section.getByLabel('配信URL').waitFor();
    await section.scrollIntoViewIfNeeded();
    await checkScreen(small, 'phone', { phoneLayout: true, prefix: 'feed-' });

    await page.getByRole('button', { name: 'English' }).click();
    const english = page.getByRole('region', { name: 'Calendar feed' });
    await english.waitFor();
    const text = await english.innerText();
    assert.match(text, /Anyone who has this URL can read your due dates/);
    assert.match(text, /Changing your password stops the feed/);
    await english.getByLabel('Feed URL').waitFor();
    await english.getByLabel('Include titles').waitFor();
    for (const name of ['Copy', 'Make a new URL', 'Stop the feed']) await english.getByRole('button', { name }).waitFor();
    await checkScreen(small, 'phone-english', { phoneLayout: true, prefix: 'feed-' });
    await page.getByRole('button', { name: '日本語' }).click();
    await page.getByRole('region', { name: 'カレンダー配信' }).waitFor();
    await small.context.close();
  });
});
