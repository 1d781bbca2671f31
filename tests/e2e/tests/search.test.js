// 蔵書検索 (R-FIND-1, R-FIND-2): the header's search box on every screen, the results with their
// availability, paging with the server's token, readings and kana folding, no login needed;
// on a desktop and on a 360 px phone, in Japanese and English. The demo catalog is there (a
// fresh store); the test adds 25 titles of its own for the paging.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, staffKey } from '../lib/server.js';
import { staffClient } from '../lib/staff.js';
import { launchBrowser, openPage, checkScreen, waitForScreen, visit, visitStart, shutDown, searchFor, desktop, phone } from '../lib/browser.js';

const NOW = '2026-11-25T10:00:00+09:00';
const PATRON = { card: '40260001', name: '検索 花子' };

let server;
let staff;
let browser;
let session;

async function addTitle(body) {
  const { status, data } = await staff.raw('POST', '/api/staff/titles', body, { 'X-Staff-Key': staffKey });
  assert.equal(status, 201, JSON.stringify(data));
}

function hits(page) {
  return page.locator('#main li.card h2');
}

before(async () => {
  server = await startServer({ now: NOW });
  staff = staffClient(server.baseUrl);
  await staff.patron(PATRON.card, PATRON.name);
  // 25 titles about 鴨川, one a minute: 20 on the first page, 5 on the second.
  for (let i = 1; i <= 25; i += 1) {
    await staff.setClock(new Date(Date.parse(NOW) + i * 60_000).toISOString());
    await addTitle({
      bib_id: `K-${String(i).padStart(2, '0')}`,
      title: `鴨川の風景 第${i}集`,
      title_reading: `カモガワ ノ フウケイ ダイ${i}シュウ`,
      author: '川辺 写真館',
      author_reading: 'カワベ シャシンカン',
      subjects: ['写真集', '京都'],
    });
  }
  // One of them is out, with someone waiting.
  await staff.copy('K-25-1', 'K-25');
  await staff.copy('K-24-1', 'K-24');
  await staff.copy('K-24-2', 'K-24');
  await staff.checkout(PATRON.card, 'K-25-1');
  browser = await launchBrowser();
  session = await openPage(browser, server.baseUrl, desktop);
});

after(() => shutDown(browser, server));

describe('蔵書検索', () => {
  it('searches from the header of any screen, without logging in (R-FIND-1)', async () => {
    const { page } = session;
    await visitStart(page);
    await searchFor(page, '村上春樹');
    await page.locator('h1', { hasText: '蔵書検索' }).waitFor();
    const titles = await hits(page).allInnerTexts();
    assert.deepEqual(new Set(titles), new Set(['ノルウェイの森', '街とその不確かな壁', '1Q84', '海辺のカフカ']));
    assert.match(await page.locator('#main .search-summary').innerText(), /「村上春樹」の検索結果/);
    assert.equal(await page.getByRole('searchbox', { name: /蔵書検索/ }).inputValue(), '村上春樹');
    await checkScreen(session, 'search-results');
  });

  it('finds readings and ignores kana, width and 「・」 (R-FIND-1)', async () => {
    const { page } = session;
    await searchFor(page, 'むらかみ はるき');
    assert.equal(await hits(page).count(), 4);
    await searchFor(page, 'ﾐﾋｬｴﾙ･ｴﾝﾃﾞ');
    assert.deepEqual(new Set(await hits(page).allInnerTexts()), new Set(['モモ', 'はてしない物語']));
    await searchFor(page, '猫');
    assert.ok((await hits(page).allInnerTexts()).includes('吾輩は猫である'));
  });

  it('shows availability and pages of 20 with 次へ (R-FIND-2)', async () => {
    const { page } = session;
    await searchFor(page, 'かもがわ 写真集');
    assert.equal(await hits(page).count(), 20);
    // Newest first: 第25集 (checked out) leads, then 第24集 with two copies on the shelf.
    const first = page.locator('#main li.card').first();
    assert.equal(await first.locator('h2').innerText(), '鴨川の風景 第25集');
    assert.match(await first.innerText(), /すべて貸出中/);
    assert.match(await first.innerText(), /所蔵 1冊・貸出可能 0冊・予約待ち 0人/);
    const second = page.locator('#main li.card').nth(1);
    assert.match(await second.innerText(), /書架にあります（2冊）/);
    await page.getByRole('link', { name: '次へ' }).click();
    await waitForScreen(page, '#/search?', null);
    await page.locator('#main .search-summary', { hasText: '2ページ目' }).waitFor();
    assert.deepEqual(await hits(page).allInnerTexts(), [5, 4, 3, 2, 1].map((n) => `鴨川の風景 第${n}集`));
    assert.equal(await page.getByRole('link', { name: '次へ' }).count(), 0, 'the last page');
    await checkScreen(session, 'search-page-2');
    await page.getByRole('link', { name: '最初のページへ' }).click();
    await page.locator('#main .search-summary', { hasText: /検索結果$/ }).waitFor();
    assert.equal(await hits(page).count(), 20);
  });

  it('leads from a hit to the title page, through the one place for title actions', async () => {
    const { page } = session;
    await searchFor(page, '銀河鉄道');
    await page.getByRole('link', { name: '「銀河鉄道の夜」の詳細・予約' }).click();
    await waitForScreen(page, '#/titles/B-GINGA', '銀河鉄道の夜');
  });

  it('says when nothing matches, and what a query may be', async () => {
    const { page } = session;
    await searchFor(page, '存在しない資料名');
    await page.locator('#main', { hasText: '「存在しない資料名」に該当する資料は見つかりませんでした。' }).waitFor();
    await checkScreen(session, 'search-none');
    await page.goto(`/#/search?q=${encodeURIComponent('本'.repeat(201))}`);
    await waitForScreen(page, '#/search?', '蔵書検索');
    await page.locator('#main .notice--error', { hasText: '200文字以内' }).waitFor();
    await checkScreen(session, 'search-too-long');
    // An empty box searches nothing and stays where it is.
    await visit(page, '#/new-arrivals', '新着図書');
    await page.getByRole('searchbox', { name: /蔵書検索/ }).fill('   ');
    await page.getByRole('button', { name: '検索', exact: true }).click();
    assert.equal(new URL(page.url()).hash, '#/new-arrivals');
  });

  it('works in English', async () => {
    const { page } = session;
    await page.goto(`/#/search?q=${encodeURIComponent('夏目漱石')}`);
    await waitForScreen(page, '#/search?', '蔵書検索');
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('h1', { hasText: 'Catalog search' }).waitFor();
    assert.match(await page.locator('#main .search-summary').innerText(), /Results for "夏目漱石"/);
    await checkScreen(session, 'search-english');
    await page.getByRole('button', { name: '日本語' }).click();
    await page.locator('h1', { hasText: '蔵書検索' }).waitFor();
  });

  it('fits a 360 px phone', async () => {
    const small = await openPage(browser, server.baseUrl, phone);
    const { page } = small;
    await visit(page, '#/new-arrivals', '新着図書');
    await searchFor(page, 'かもがわ');
    assert.equal(await hits(page).count(), 20);
    await checkScreen(small, 'search-phone', { phoneLayout: true, prefix: 'phone-' });
    await small.context.close();
  });
});
