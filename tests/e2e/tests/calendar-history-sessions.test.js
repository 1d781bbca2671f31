// The three pages added with the library calendar, the reading history and the session list:
// 休館日 (a month view; closures beside due dates and pickup deadlines, R-CAL-1, R-CAL-2),
// 貸出履歴 (the opt-in, deletes with a confirmation, the CSV download, R-HIST-1) and
// ログイン中の端末 on the アカウント page (R-ACCT-9). Desktop and phone; every screen is
// photographed and checked with axe-core.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer } from '../lib/server.js';
import { staffClient, titleWithCopy, activatePatron } from '../lib/staff.js';
import { launchBrowser, openPage, checkScreen, waitForScreen, visit, openFromMenu, shutDown, logIn, logInAtStart, phone } from '../lib/browser.js';

const TODAY = '2026-11-25T10:00:00+09:00'; // a Wednesday; the library is closed on Mondays
const PATRON = { card: '40260001', name: '宇治 光', password: 'Uji2gawa88' };
const LIBRARY_PC = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';
const AWKWARD = { bib: 'E-AWK', title: '京都、春夏秋冬, 上巻 "特装版"', author: '四季 彩' };
const PLAIN = { bib: 'E-PLAIN', title: '=SUM(A1) という名の本', author: '表 計算' };

let server;
let staff;
let browser;
let desk; // the patron's desktop browser
let otherToken; // a session opened elsewhere (a library PC)

async function apiStatus(path, token) {
  const response = await fetch(`${server.baseUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return response.status;
}

function cardOf(page, title) {
  return page.locator('#main li.card', { has: page.locator('h2, h3', { hasText: title }) });
}

before(async () => {
  server = await startServer({ now: TODAY, env: { POLICY_CLOSED_WEEKDAYS: 'mon' } });
  staff = staffClient(server.baseUrl);
  await staff.patron(PATRON.card, PATRON.name);
  await activatePatron(server.baseUrl, staff, PATRON.card, PATRON.password);
  await staff.closeDay('2026-12-01', '蔵書点検');
  await staff.closeDay('2026-12-02', '蔵書点検');
  await staff.closeDay('2026-12-29', '年末年始休館');
  // Due 12-09 (14 days): the closures before it are shown beside it.
  const loaned = await titleWithCopy(staff, 'E-LOAN', '嵯峨野の竹林', '竹 林子');
  await staff.checkout(PATRON.card, loaned);
  const pc = await fetch(`${server.baseUrl}/api/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'User-Agent': LIBRARY_PC },
    body: JSON.stringify({ card_number: PATRON.card, password: PATRON.password }),
  });
  otherToken = (await pc.json()).token;

  browser = await launchBrowser();
  desk = await openPage(browser, server.baseUrl);
  // The page's "today" is the server's pinned day.
  await desk.context.clock.setFixedTime(new Date(TODAY));
  await logInAtStart(desk.page, PATRON);
});

after(() => shutDown(browser, server));

describe('休館日, 貸出履歴 and ログイン中の端末', () => {
  it('休館日: a month view with weekly (定休日) and dated closures, open to everyone (R-CAL-2)', async () => {
    const visitor = await openPage(browser, server.baseUrl);
    await visitor.context.clock.setFixedTime(new Date(TODAY));
    const { page } = visitor;
    await page.goto('/#/calendar?month=2026-12');
    await waitForScreen(page, '#/calendar', '休館日');
    const table = page.getByRole('table', { name: '2026年12月の休館日' });
    await table.waitFor();
    const dec1 = page.locator('td[data-date="2026-12-01"]');
    assert.match(await dec1.innerText(), /休館[\s\S]*蔵書点検/);
    assert.match(await page.locator('td[data-date="2026-12-07"]').innerText(), /定休日/);
    assert.doesNotMatch(await page.locator('td[data-date="2026-12-03"]').innerText(), /休館/);
    const list = await page.locator('.closed-list').innerText();
    assert.match(list, /2026年12月1日（火） 蔵書点検/);
    assert.match(list, /2026年12月29日（火） 年末年始休館/);
    assert.equal((list.match(/定休日/g) ?? []).length, 4, 'four Mondays in December 2026');
    await checkScreen(visitor, 'calendar-month');

    await page.getByRole('link', { name: '前の月' }).click();
    await page.getByRole('table', { name: '2026年11月の休館日' }).waitFor();
    assert.equal(await page.locator('td[aria-current="date"]').getAttribute('data-date'), '2026-11-25');
    await visitor.context.close();
  });

  it('貸出一覧 shows the closures before each due date, beside it (R-CAL-1)', async () => {
    const { page } = desk;
    await visit(page, '#/loans', '貸出一覧');
    const card = cardOf(page, '嵯峨野の竹林');
    const text = await card.innerText();
    assert.match(text, /2026年12月9日/);
    assert.match(text, /返却期限日までの休館日/);
    assert.match(text, /11月30日（月） 定休日、2026年12月1日（火） 蔵書点検/);
    await card.getByRole('link', { name: '休館日カレンダー' }).waitFor();
    await checkScreen(desk, 'loans-with-closures');
  });

  it('貸出履歴: off until turned on, explained in plain Japanese; returns are then listed (R-HIST-1)', async () => {
    const { page } = desk;
    await openFromMenu(page, '貸出履歴', '#/reading-history');
    assert.equal(await page.locator('#history-status').innerText(), '記録していません');
    const about = await page.locator('#main').innerText();
    assert.match(about, /ふだんは返却された資料の記録を残していません/);
    assert.match(about, /図書館の職員が見ることはなく/);
    await checkScreen(desk, 'history-off');

    await page.getByRole('button', { name: '記録する' }).click();
    await page.locator('#main .notice', { hasText: '貸出履歴の記録を始めました' }).waitFor();
    assert.equal(await page.locator('#history-status').innerText(), '記録しています');

    for (const t of [AWKWARD, PLAIN]) {
      const barcode = await titleWithCopy(staff, t.bib, t.title, t.author);
      await staff.checkout(PATRON.card, barcode);
      await staff.checkin(barcode);
    }
    await page.reload();
    await waitForScreen(page, '#/reading-history', '貸出履歴');
    await cardOf(page, AWKWARD.title).waitFor();
    assert.match(await cardOf(page, PLAIN.title).innerText(), /返却日\s*2026年11月25日/);
    await checkScreen(desk, 'history-on');
  });

  it('貸出履歴: the CSV download keeps commas and quotes and guards formulas', async () => {
    const { page } = desk;
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSVファイルでダウンロード' }).click()]);
    assert.equal(download.suggestedFilename(), 'reading-history.csv');
    const bytes = await readFile(await download.path());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a byte order mark');
    const text = bytes.subarray(3).toString('utf8');
    const lines = text.split('\r\n');
    assert.equal(lines[0], '書名,著者,貸出日,返却日');
    assert.ok(text.includes(`"京都、春夏秋冬, 上巻 ""特装版""",四季 彩,2026-11-25,2026-11-25\r\n`), text);
    assert.ok(text.includes(`'=SUM(A1) という名の本,表 計算,2026-11-25,2026-11-25\r\n`), text);
  });

  it('貸出履歴: one entry is deleted after a confirmation; turning it off deletes the rest', async () => {
    const { page } = desk;
    const card = cardOf(page, PLAIN.title);
    await card.getByRole('button', { name: `「${PLAIN.title}」の履歴を削除` }).click();
    const question = card.getByRole('group', { name: `「${PLAIN.title}」の履歴を削除しますか。` });
    await question.waitFor();
    await checkScreen(desk, 'history-delete-confirm');
    // "やめる" keeps it.
    await question.getByRole('button', { name: 'やめる' }).click();
    assert.equal(await cardOf(page, PLAIN.title).count(), 1);
    await card.getByRole('button', { name: `「${PLAIN.title}」の履歴を削除` }).click();
    await question.getByRole('button', { name: '削除する' }).click();
    await page.locator('#main .notice', { hasText: `「${PLAIN.title}」の履歴を削除しました` }).waitFor();
    assert.equal(await cardOf(page, PLAIN.title).count(), 0);
    assert.equal(await cardOf(page, AWKWARD.title).count(), 1);

    await page.getByRole('button', { name: '記録をやめる' }).click();
    await page.getByText('記録をやめると、これまでの貸出履歴はすべて削除されます').waitFor();
    await checkScreen(desk, 'history-turn-off-confirm');
    await page.getByRole('button', { name: '記録をやめて削除する' }).click();
    await page.locator('#main .notice', { hasText: '貸出履歴の記録をやめ' }).waitFor();
    assert.equal(await page.locator('#history-status').innerText(), '記録していません');
    assert.equal(await page.locator('#main li.card').count(), 0);
    // On again: nothing of the old history comes back.
    await page.getByRole('button', { name: '記録する' }).click();
    await page.locator('#main .notice', { hasText: '貸出履歴の記録を始めました' }).waitFor();
    assert.match(await page.locator('#main').innerText(), /まだ記録はありません/);
    const writes = desk.apiWrites.filter((w) => w.path.startsWith('/api/me/reading-history'));
    assert.ok(writes.length >= 4 && writes.every((w) => w.csrf === '1'), JSON.stringify(writes));
  });

  it('ログイン中の端末: both sessions are listed; the library PC is logged out from home (R-ACCT-9)', async () => {
    const { page } = desk;
    await openFromMenu(page, 'アカウント', '#/account');
    const sessions = page.locator('#session-list > li');
    assert.equal(await sessions.count(), 2);
    const mine = page.locator('#session-list li.card--current');
    assert.match(await mine.innerText(), /この端末/);
    const pc = page.locator('#session-list li', { hasText: 'Chrome（Windows）' });
    assert.match(await pc.innerText(), /ログイン日時/);
    assert.match(await pc.innerText(), /Win64/);
    const listed = await page.locator('#session-list').innerText();
    assert.ok(!listed.includes(otherToken.split('.')[1]), 'no token on the page');
    await checkScreen(desk, 'account-sessions');

    assert.equal(await apiStatus('/api/me', otherToken), 200);
    await pc.getByRole('button', { name: 'ログアウトさせる（Chrome（Windows））' }).click();
    await pc.getByRole('group').waitFor();
    await checkScreen(desk, 'account-end-confirm');
    await pc.getByRole('button', { name: 'ログアウトさせる（確定）' }).click();
    await page.locator('#main .notice', { hasText: 'Chrome（Windows）をログアウトさせました' }).waitFor();
    assert.equal(await page.locator('#session-list > li').count(), 1);
    assert.equal(await apiStatus('/api/me', otherToken), 401, 'the library PC is logged out at once');
    await checkScreen(desk, 'account-after-end');
  });

  it('the three pages on a 360 px phone, and in English', async () => {
    const small = await openPage(browser, server.baseUrl, phone);
    await small.context.clock.setFixedTime(new Date(TODAY));
    const { page } = small;
    await page.goto('/#/calendar?month=2026-12');
    await waitForScreen(page, '#/calendar', '休館日');
    await checkScreen(small, 'calendar', { phoneLayout: true, prefix: 'phone-' });
    await visit(page, '#/login', 'ログイン');
    await logIn(page, PATRON.card, PATRON.password);
    await waitForScreen(page, '#/loans', '貸出一覧');
    await visit(page, '#/reading-history', '貸出履歴');
    await checkScreen(small, 'history', { phoneLayout: true, prefix: 'phone-' });
    await visit(page, '#/account', 'アカウント');
    assert.equal(await page.locator('#session-list > li').count(), 2, 'the desktop and this phone');
    await checkScreen(small, 'account', { phoneLayout: true, prefix: 'phone-' });
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('h1', { hasText: 'Account' }).waitFor();
    await page.getByRole('heading', { name: 'Signed-in devices' }).waitFor();
    await page.goto('/#/calendar?month=2026-12');
    await page.getByRole('table', { name: 'Closed days in 12/2026' }).waitFor();
    await checkScreen(small, 'calendar-english', { phoneLayout: true, prefix: 'phone-' });
    await small.context.close();
  });
});
