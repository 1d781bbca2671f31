// Every screen on a 360 px wide phone: no horizontal scroll, axe-core clean, screenshots.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.js';
import { staffClient, titleWithCopy, activatePatron } from '../lib/staff.js';
import { launchBrowser, openPage, checkScreen, waitForScreen, visit, visitStart, openFromMenu, shutDown, logIn, phone } from '../lib/browser.js';

const DAY_1 = '2026-11-01T10:00:00+09:00';
const DAY_20 = '2026-11-20T10:00:00+09:00';
const TODAY = '2026-11-25T10:00:00+09:00';

const PATRON = { card: '30260001', name: '北山 杉子', password: 'Kitayama55', email: 'sugiko.kitayama.long-address@example.jp' };
const OTHER = { card: '30260002', name: '東山 光', password: 'Higashi77' };
const LONG_TITLE = 'とても長い書名の本：京都府立図書館所蔵の古典籍にみる平安京の年中行事と都市生活の研究（増補改訂版）';

let server;
let staff;
let browser;
let session;
let temporary;

before(async () => {
  server = await startServer({ now: DAY_1 });
  staff = staffClient(server.baseUrl);
  await staff.patron(PATRON.card, PATRON.name, true);
  await staff.patron(OTHER.card, OTHER.name, false);
  const overdue = await titleWithCopy(staff, 'P-OVERDUE', '鴨川の四季', '佐藤 一郎');
  await staff.checkout(PATRON.card, overdue);

  await staff.setClock(DAY_20);
  const long = await titleWithCopy(staff, 'P-LONG', LONG_TITLE, '藤原 長い名前の著者', ['歴史', '京都']);
  const ready = await titleWithCopy(staff, 'P-READY', '嵐山の歴史', '渡月 橋');
  const waiting = await titleWithCopy(staff, 'P-WAIT', '宇治茶の文化', '宇治 茶子');
  await titleWithCopy(staff, 'P-SHELF', '書架にある本', '棚 一冊');
  await staff.checkout(PATRON.card, long);
  await staff.checkout(OTHER.card, ready);
  await staff.checkout(OTHER.card, waiting);
  await staff.setClock(TODAY);
  await staff.hold(PATRON.card, 'P-READY', 'none');
  await staff.hold(PATRON.card, 'P-WAIT', 'none');
  await staff.checkin(ready);
  temporary = await staff.temporaryPassword(PATRON.card);
  await activatePatron(server.baseUrl, staff, OTHER.card, OTHER.password);

  browser = await launchBrowser();
  session = await openPage(browser, server.baseUrl, phone);
});

after(() => shutDown(browser, server));

const look = (name) => checkScreen(session, name, { phoneLayout: true, prefix: 'phone-' });

describe('a 360 px phone', () => {
  it('ログイン and the forced パスワード変更', async () => {
    const { page } = session;
    await visitStart(page);
    await look('login');
    await logIn(page, PATRON.card, temporary);
    await waitForScreen(page, '#/password', 'パスワード変更');
    await page.getByLabel('新しいパスワード', { exact: true }).fill('abc');
    await look('password-forced');
    await page.getByLabel('現在のパスワード（仮パスワード）').fill(temporary);
    await page.getByLabel('新しいパスワード', { exact: true }).fill(PATRON.password);
    await page.getByLabel('新しいパスワード（確認）').fill(PATRON.password);
    await page.getByRole('button', { name: 'パスワードを変更する' }).click();
    await waitForScreen(page, '#/loans', '貸出一覧');
  });

  it('the menu opens and closes from its button', async () => {
    const { page } = session;
    const toggle = page.getByRole('button', { name: 'メニュー' });
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.locator('#site-nav').getByRole('link', { name: '予約一覧' }).isVisible(), false);
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    await look('menu-open');
    await openFromMenu(page, '予約一覧', '#/holds');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  });

  it('set up an email address', async () => {
    const { page } = session;
    await visit(page, '#/email', 'メールアドレス');
    await page.getByLabel('メールアドレス', { exact: true }).fill(PATRON.email);
    await page.getByRole('button', { name: '登録する' }).click();
    await page.locator('#current-email', { hasText: PATRON.email }).waitFor();
    await look('email');
    const token = await staff.verificationToken(PATRON.email);
    assert.ok(token, 'a verification email');
    await page.goto(`/#/verify-email?token=${token}`);
    await waitForScreen(page, '#/verify-email', 'メールアドレスの確認');
    await look('verify-email');
    await page.getByRole('button', { name: '確認する' }).click();
    await page.locator('#main .notice', { hasText: 'メールアドレスを確認しました' }).waitFor();
    await visit(page, '#/email', 'メールアドレス');
    await page.getByRole('button', { name: '削除する' }).click();
    await look('email-delete-confirm');
    await page.getByRole('button', { name: 'やめる' }).click();
  });

  const screens = [
    ['/loans', '貸出一覧', 'loans'],
    ['/holds', '予約一覧', 'holds'],
    ['/new-arrivals', '新着図書', 'new-arrivals'],
    ['/titles/P-WAIT', '宇治茶の文化', 'title'],
    ['/titles/P-SHELF', '書架にある本', 'title-on-shelf'],
    ['/titles/P-WAIT/hold', '予約候補一覧', 'hold-candidates'],
    ['/notifications', 'お知らせメール設定', 'notifications'],
    ['/ebooks', '電子書籍・オーディオブック', 'ebooks'],
    ['/password', 'パスワード変更', 'password'],
  ];
  for (const [route, heading, name] of screens) {
    it(`${heading} (#${route})`, async () => {
      const { page } = session;
      await visit(page, `#${route}`, heading);
      await look(name);
    });
  }

  it('確認 (貸出延長) and 予約取消確認', async () => {
    const { page } = session;
    const confirmations = [
      ['#/loans', '貸出一覧', /貸出延長/, '確認', 'renew-confirm'],
      ['#/holds', '予約一覧', /予約取消/, '予約取消確認', 'cancel-confirm'],
    ];
    for (const [list, listHeading, link, confirmHeading, name] of confirmations) {
      await visit(page, list, listHeading);
      await page.getByRole('link', { name: link }).first().click();
      await waitForScreen(page, `${list}/`, confirmHeading);
      await look(name);
    }
  });

  it('メールアドレス削除 after a confirmation', async () => {
    const { page } = session;
    await visit(page, '#/email', 'メールアドレス');
    await page.getByRole('button', { name: '削除する' }).click();
    await page.getByRole('button', { name: '削除する（確定）' }).click();
    await page.locator('#main .notice', { hasText: 'メールアドレスを削除しました' }).waitFor();
    assert.match(await page.locator('#current-email').innerText(), /登録されていません/);
    await look('email-deleted');
  });

  it('the English screens fit too', async () => {
    const { page } = session;
    await visit(page, '#/loans', '貸出一覧');
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('h1', { hasText: 'Loans' }).waitFor();
    await look('loans-english');
    await page.goto('/#/holds');
    await page.locator('h1', { hasText: 'Holds' }).waitFor();
    await look('holds-english');
    await page.getByRole('button', { name: '日本語' }).click();
    await page.locator('h1', { hasText: '予約一覧' }).waitFor();
  });
});
