// The guide's whole story, in order, on a desktop screen: first login with a temporary password,
// the forced password change, 貸出一覧 and renewal, holds (placing, ready after a counter check-in,
// cancelling), email settings, e-books, logout and an expired session. Every screen is
// photographed and checked with axe-core.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, library } from '../lib/server.js';
import { staffClient, titleWithCopy, activatePatron } from '../lib/staff.js';
import { launchBrowser, openPage, checkScreen, tabTo, waitForScreen, visit, visitStart, openFromMenu, shutDown, logIn } from '../lib/browser.js';

const DAY_1 = '2026-11-01T10:00:00+09:00';
const DAY_20 = '2026-11-20T10:00:00+09:00';
const TODAY = '2026-11-25T10:00:00+09:00';
const LATE_TODAY = '2026-11-25T23:30:00+09:00'; // more than 12 hours later: every session has expired

const HANAKO = { card: '20260001', name: '京都 花子', password: 'Kamo2gawa7', email: 'hanako@example.jp' };
const TARO = { card: '20260002', name: '伏見 太郎', password: 'Fushimi88' };
const JIRO = { card: '20260003', name: '嵯峨 次郎', password: 'Sagano123' };
const LOCKED = { card: '20260009', name: '錠前 守', password: 'Lock3dOut' };

const T = {
  renew: { bib: 'B-RENEW', title: '京都の路地を歩く', author: '山田 花子' },
  renew2: { bib: 'B-RENEW2', title: '比叡山の千年', author: '大原 三郎' },
  overdue: { bib: 'B-OVERDUE', title: '鴨川の四季', author: '佐藤 一郎' },
  held: { bib: 'B-HELD', title: '祇園祭の記録', author: '八坂 和子' },
  ill: { bib: 'B-ILL', title: '大阪の町家', author: '難波 良子' },
  today: { bib: 'B-TODAY', title: '今日借りた絵本', author: '絵本 作家' },
  reserve: { bib: 'B-RESERVE', title: '嵐山の歴史', author: '渡月 橋' },
  wait: { bib: 'B-WAIT', title: '宇治茶の文化', author: '宇治 茶子' },
  race: { bib: 'B-RACE', title: '京の和菓子', author: '甘味 堂' },
  shelf: { bib: 'B-SHELF', title: '書架にある本', author: '棚 一冊' },
};
const LIMIT_TITLES = Array.from({ length: 11 }, (_, i) => ({
  bib: `B-LIM${String(i + 1).padStart(2, '0')}`,
  title: `貸出待ちの本 ${i + 1}`,
  author: '上限 試験',
}));

let server;
let staff;
let browser;
let hanako; // the browser session of the main patron
let hanakoTemporary;

function cardOf(page, title) {
  return page.locator('#main li.card', { has: page.locator('h2', { hasText: title }) });
}

// Opens the link in the newest verification email to `email` and confirms (R-MAIL-5).
async function verifyFromMail(session, email) {
  const { page } = session;
  const token = await staff.verificationToken(email);
  assert.ok(token, `a verification email to ${email}`);
  await page.goto(`/#/verify-email?token=${token}`);
  await waitForScreen(page, '#/verify-email', 'メールアドレスの確認');
  await checkScreen(session, 'verify-email');
  await page.getByRole('button', { name: '確認する' }).click();
  await page.locator('#main .notice', { hasText: 'メールアドレスを確認しました' }).waitFor();
  // Used up: the same link again is refused.
  const again = await staff.raw('POST', '/api/email-verification', { token }, { 'X-MyPage-CSRF': '1' });
  assert.equal(again.status, 400);
}

async function waitForFlash(page, text) {
  await page.locator('#main .notice', { hasText: text }).waitFor();
}

before(async () => {
  server = await startServer({ now: DAY_1 });
  staff = staffClient(server.baseUrl);

  for (const patron of [HANAKO, TARO, JIRO, LOCKED]) {
    await staff.patron(patron.card, patron.name, patron === HANAKO);
  }
  const barcodes = {};
  // Day 1: a loan that will be overdue by "today".
  barcodes.overdue = await titleWithCopy(staff, T.overdue.bib, T.overdue.title, T.overdue.author, ['京都']);
  await staff.checkout(HANAKO.card, barcodes.overdue);

  // Day 20 (within the 14 days of 新着図書 today): the other titles, loans that can be renewed
  // today, and items other patrons have out.
  await staff.setClock(DAY_20);
  for (const [key, t] of Object.entries(T)) {
    if (key !== 'overdue') barcodes[key] = await titleWithCopy(staff, t.bib, t.title, t.author, ['京都']);
  }
  for (const t of LIMIT_TITLES) barcodes[t.bib] = await titleWithCopy(staff, t.bib, t.title, t.author);
  await staff.checkout(HANAKO.card, barcodes.renew);
  await staff.checkout(HANAKO.card, barcodes.renew2);
  await staff.checkout(HANAKO.card, barcodes.held);
  await staff.checkout(HANAKO.card, barcodes.ill, '2026-12-20');
  for (const key of ['reserve', 'wait', 'race']) await staff.checkout(TARO.card, barcodes[key]);
  for (const t of LIMIT_TITLES) await staff.checkout(TARO.card, barcodes[t.bib]);
  await staff.hold(TARO.card, T.held.bib, 'none');
  for (const t of LIMIT_TITLES.slice(0, 10)) await staff.hold(JIRO.card, t.bib, 'none');
  // Today: a loan made today.
  await staff.setClock(TODAY);
  await staff.checkout(HANAKO.card, barcodes.today);

  hanakoTemporary = await staff.temporaryPassword(HANAKO.card);
  for (const patron of [TARO, JIRO, LOCKED]) await activatePatron(server.baseUrl, staff, patron.card, patron.password);
  server.barcodes = barcodes;

  browser = await launchBrowser();
  hanako = await openPage(browser, server.baseUrl);
});

after(() => shutDown(browser, server));

describe('マイページ: the guide, step by step', () => {
  it('ログイン: a wrong password and a locked card are told in words (401 invalid_credentials, 429 account_locked)', async () => {
    const session = await openPage(browser, server.baseUrl);
    const { page } = session;
    await visitStart(page);
    await checkScreen(session, 'login');

    await logIn(page, LOCKED.card, 'wrong1pass');
    await page.getByRole('alert').filter({ hasText: '図書館カード番号またはパスワードが正しくありません' }).waitFor();
    await checkScreen(session, 'login-wrong-password');

    // Empty fields are explained next to the field, without a request.
    await page.getByLabel('図書館カード番号').fill('');
    await page.getByRole('button', { name: 'ログイン' }).click();
    const cardField = page.getByLabel('図書館カード番号');
    assert.equal(await cardField.getAttribute('aria-invalid'), 'true');
    const describedBy = await cardField.getAttribute('aria-describedby');
    const errorId = describedBy.split(' ').find((id) => id.endsWith('-error'));
    assert.match(await page.locator(`#${errorId}`).innerText(), /図書館カード番号を入力してください/);

    let locked = false;
    for (let attempt = 0; attempt < 10 && !locked; attempt += 1) {
      await page.getByLabel('図書館カード番号').fill(LOCKED.card);
      await page.getByLabel('パスワード', { exact: true }).fill(`wrong${attempt}pass`);
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/session') && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'ログイン' }).click();
      locked = (await answer).status() === 429;
    }
    assert.ok(locked, 'the card was never locked after repeated failures (R-ACCT-7)');
    const alert = page.getByRole('alert').filter({ hasText: '一時的にロックされています' });
    await alert.waitFor();
    assert.match(await alert.innerText(), new RegExp(library.phone));
    await checkScreen(session, 'login-locked');
    await session.context.close();
  });

  it('ログイン with a temporary password (full-width digits typed) leads only to パスワード変更 (R-ACCT-1, R-ACCT-3)', async () => {
    const { page } = hanako;
    await visitStart(page);
    const fullWidth = HANAKO.card.replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
    await page.getByLabel('図書館カード番号').fill(fullWidth);
    await page.getByLabel('パスワード', { exact: true }).fill(hanakoTemporary);
    const loginRequest = page.waitForRequest((r) => r.url().endsWith('/api/session') && r.method() === 'POST');
    const loginAnswer = page.waitForResponse((r) => r.url().endsWith('/api/session') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'ログイン' }).click();
    assert.equal(JSON.parse((await loginRequest).postData()).card_number, HANAKO.card, 'card number sent in ASCII digits');
    const answer = await (await loginAnswer).json();
    assert.equal(answer.must_change_password, true);
    hanako.loginToken = answer.token;

    await waitForScreen(page, '#/password', 'パスワード変更');
    await page.getByText('仮パスワードでログインしました').waitFor();
    await checkScreen(hanako, 'password-forced');

    // Nothing else is reachable: the menu offers only パスワード変更 and ログアウト, a typed route comes back here.
    const menu = await page.locator('#nav-list').innerText();
    assert.match(menu, /パスワード変更/);
    assert.match(menu, /ログアウト/);
    assert.doesNotMatch(menu, /貸出一覧|予約一覧/);
    await page.goto('/#/loans');
    await waitForScreen(page, '#/password', 'パスワード変更');
    const apiAnswer = await page.evaluate(async () => {
      const response = await fetch('/api/me/loans', { credentials: 'same-origin' });
      return { status: response.status, body: await response.json() };
    });
    assert.equal(apiAnswer.status, 403);
    assert.equal(apiAnswer.body.error.code, 'password_change_required');
  });

  it('the session lives only in the HttpOnly cookie, never in page storage', async () => {
    const { page, context } = hanako;
    const cookies = await context.cookies();
    const cookie = cookies.find((c) => c.name === 'mypage_session');
    assert.ok(cookie, 'mypage_session cookie set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.path, '/api');
    const stored = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }));
    if (hanako.loginToken) assert.ok(!stored.includes(hanako.loginToken), 'token found in page storage');
    assert.doesNotMatch(stored, /mypage_session/);
  });

  it('パスワード変更 checks the rule as the patron types; the server answer (weak_password) is final', async () => {
    const { page } = hanako;
    const rule = (text) => page.locator('#password-rules li', { hasText: text });
    await page.getByLabel('新しいパスワード', { exact: true }).fill('abcdef');
    assert.match(await rule('数字を1文字以上含む').getAttribute('class'), /^rule$/);
    assert.match(await rule('英字を1文字以上含む').getAttribute('class'), /rule--met/);
    await page.getByLabel('新しいパスワード', { exact: true }).fill('abc12');
    assert.doesNotMatch(await rule('6文字以上').getAttribute('class'), /rule--met/);
    await page.getByLabel('新しいパスワード', { exact: true }).fill('ａｂｃ１２３');
    assert.doesNotMatch(await rule('半角の英字と数字だけを使う').getAttribute('class'), /rule--met/);
    await checkScreen(hanako, 'password-typing');

    // Passes the shown rule, but is a commonly used password: the server refuses it.
    await page.getByLabel('現在のパスワード（仮パスワード）').fill(hanakoTemporary);
    await page.getByLabel('新しいパスワード', { exact: true }).fill('abc123');
    await page.getByLabel('新しいパスワード（確認）').fill('abc123');
    assert.match(await rule('6文字以上').getAttribute('class'), /rule--met/);
    await page.getByRole('button', { name: 'パスワードを変更する' }).click();
    const newField = page.getByLabel('新しいパスワード', { exact: true });
    await page.getByRole('alert').filter({ hasText: 'このパスワードは登録できません' }).waitFor();
    assert.equal(await newField.getAttribute('aria-invalid'), 'true');
    await checkScreen(hanako, 'password-weak');

    await newField.fill(HANAKO.password);
    await page.getByLabel('新しいパスワード（確認）').fill(HANAKO.password);
    await page.getByRole('button', { name: 'パスワードを変更する' }).click();
    // 貸出一覧 opens by itself (R-LOAN-1).
    await waitForScreen(page, '#/loans', '貸出一覧');
    await waitForFlash(page, 'パスワードを変更しました');
  });

  it('貸出一覧 shows title, author, due date, and 貸出延長 only where renewable, with reasons otherwise (R-LOAN-1, R-RENEW-1..5)', async () => {
    const { page } = hanako;
    await waitForScreen(page, '#/loans', '貸出一覧');
    await checkScreen(hanako, 'loans');

    const renewable = cardOf(page, T.renew.title);
    assert.match(await renewable.innerText(), new RegExp(T.renew.author));
    assert.match(await renewable.innerText(), /2026年12月4日/); // checked out 11-20, 14 days
    await renewable.getByRole('link', { name: `「${T.renew.title}」の貸出延長` }).waitFor();

    const expectations = [
      [T.overdue.title, '返却期限日を過ぎています'],
      [T.held.title, '他の利用者が貸出待ち登録をしています'],
      [T.ill.title, '他館から取り寄せた資料です'],
      [T.today.title, '貸出手続きの当日は延長できません'],
    ];
    for (const [title, reason] of expectations) {
      const card = cardOf(page, title);
      assert.match(await card.innerText(), new RegExp(reason), `${title}: reason shown`);
      assert.equal(await card.getByRole('link', { name: /貸出延長/ }).count(), 0, `${title}: no 貸出延長 button`);
    }
    assert.match(await cardOf(page, T.ill.title).innerText(), /2026年12月20日/);
  });

  it('貸出延長 → 確認 → 変更する, by keyboard only, shows the new due date and 延長済 (R-RENEW-6, R-RENEW-7)', async () => {
    const { page } = hanako;
    await tabTo(page, page.getByRole('link', { name: `「${T.renew.title}」の貸出延長` }));
    await page.keyboard.press('Enter');
    await waitForScreen(page, '#/loans/', '確認');
    assert.match(await page.locator('#main').innerText(), /取り消しできません/);
    await checkScreen(hanako, 'renew-confirm');

    await tabTo(page, page.getByRole('button', { name: '変更する' }));
    await page.keyboard.press('Enter');
    await waitForScreen(page, '#/loans', '貸出一覧');
    // Renewed on 11-25: due 14 days later.
    await waitForFlash(page, '新しい返却期限日は2026年12月9日');
    const card = cardOf(page, T.renew.title);
    assert.match(await card.innerText(), /延長済/);
    assert.match(await card.innerText(), /2026年12月9日/);
    assert.match(await card.innerText(), /すでに1回延長しています/);
    assert.equal(await card.getByRole('link', { name: /貸出延長/ }).count(), 0);
    await checkScreen(hanako, 'loans-after-renewal');
  });

  it('a renewal refused at the last moment (another patron placed a hold) is explained in words', async () => {
    const { page } = hanako;
    await cardOf(page, T.renew2.title).getByRole('link', { name: /貸出延長/ }).click();
    await waitForScreen(page, '#/loans/', '確認');
    await staff.hold(TARO.card, T.renew2.bib, 'none');
    await page.getByRole('button', { name: '変更する' }).click();
    await page.getByRole('alert').filter({ hasText: '他の利用者が貸出待ち登録しているため延長できません' }).waitFor();
    assert.equal(await page.getByRole('button', { name: '変更する' }).count(), 0);
    await checkScreen(hanako, 'renew-refused');
  });

  it('メールアドレス登録 and 変更 (R-ACCT-6)', async () => {
    const { page } = hanako;
    await openFromMenu(page, 'メールアドレス', '#/email');
    assert.match(await page.locator('#current-email').innerText(), /登録されていません/);
    await checkScreen(hanako, 'email-none');

    const input = page.getByLabel('メールアドレス', { exact: true });
    await input.fill('not-an-address');
    await page.getByRole('button', { name: '登録する' }).click();
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    await page.getByRole('alert').filter({ hasText: 'メールアドレスの形式が正しくありません' }).waitFor();

    await input.fill('hanako.old@example.jp');
    await page.getByRole('button', { name: '登録する' }).click();
    await waitForFlash(page, '確認のメールを送りました');
    assert.equal(await page.locator('#current-email').innerText(), 'hanako.old@example.jp');
    assert.match(await page.locator('#email-status').innerText(), /確認待ち/);
    await checkScreen(hanako, 'email-unverified');
    await verifyFromMail(hanako, 'hanako.old@example.jp');

    await visit(page, '#/email', 'メールアドレス');
    assert.match(await page.locator('#email-status').innerText(), /確認済み/);
    await page.getByLabel('メールアドレス', { exact: true }).fill(HANAKO.email);
    await page.getByRole('button', { name: '変更する' }).click();
    await page.locator('#current-email', { hasText: HANAKO.email }).waitFor();
    // R-MAIL-5: the old address is told of the change, without the new address's link.
    const outbox = await staff.outbox();
    const notice = outbox.filter((m) => m.to === 'hanako.old@example.jp' || (Array.isArray(m.to) && m.to.includes('hanako.old@example.jp')));
    assert.equal(notice.length, 2, 'the verification, then the change notice, to the old address');
    assert.doesNotMatch(notice[1].text, /token=/);
    await verifyFromMail(hanako, HANAKO.email);
    await page.goto('/#/email');
    await page.locator('#email-status', { hasText: '確認済み' }).waitFor();
    await checkScreen(hanako, 'email-registered');
  });

  it('予約: from 新着図書 via 予約候補一覧 with 連絡方法 メール (R-HOLD-1, R-HOLD-3)', async () => {
    const { page } = hanako;
    await openFromMenu(page, '新着図書', '#/new-arrivals');
    await checkScreen(hanako, 'new-arrivals');
    await page.getByRole('link', { name: `「${T.reserve.title}」を予約する` }).click();

    await waitForScreen(page, `#/titles/${T.reserve.bib}/hold`, '予約候補一覧');
    const email = page.getByRole('radio', { name: /メール/ });
    assert.equal(await email.isEnabled(), true);
    await email.check();
    await checkScreen(hanako, 'hold-candidates');
    await page.getByRole('button', { name: '予約する' }).click();

    await waitForScreen(page, '#/holds', '予約一覧');
    await waitForFlash(page, `「${T.reserve.title}」を貸出待ち登録しました`);
    const card = cardOf(page, T.reserve.title);
    assert.match(await card.innerText(), /順番待ち 1番目/);
    assert.match(await card.innerText(), /メール/);
  });

  it('予約: from a title page /#/titles/{bib_id} with 連絡方法 不要', async () => {
    const { page } = hanako;
    await page.goto(`/#/titles/${T.wait.bib}`);
    await waitForScreen(page, `#/titles/${T.wait.bib}`, T.wait.title);
    assert.match(await page.locator('#main').innerText(), /すべて貸出中です/);
    await checkScreen(hanako, 'title');
    await page.getByRole('link', { name: '予約する' }).click();
    await waitForScreen(page, `#/titles/${T.wait.bib}/hold`, '予約候補一覧');
    await page.getByRole('radio', { name: /不要/ }).check();
    await page.getByRole('button', { name: '予約する' }).click();
    await waitForScreen(page, '#/holds', '予約一覧');
    await waitForFlash(page, `「${T.wait.title}」を貸出待ち登録しました`);
    assert.match(await cardOf(page, T.wait.title).innerText(), /不要/);
    await checkScreen(hanako, 'holds');
  });

  it('予約 refusals are given in words: duplicate_hold, already_on_loan, available_on_shelf, title_not_found', async () => {
    const { page } = hanako;
    const tryHold = async (bib) => {
      await page.goto(`/#/titles/${bib}/hold`);
      await waitForScreen(page, `#/titles/${bib}/hold`, '予約候補一覧');
      await page.getByRole('button', { name: '予約する' }).click();
    };
    await tryHold(T.reserve.bib);
    await page.getByRole('alert').filter({ hasText: 'すでに貸出待ち登録しています' }).waitFor();
    await checkScreen(hanako, 'hold-refused-duplicate');

    await tryHold(T.held.bib);
    await page.getByRole('alert').filter({ hasText: 'あなたが借りているため予約できません' }).waitFor();

    // The copy comes back to the shelf while the patron is on 予約候補一覧.
    await page.goto(`/#/titles/${T.race.bib}/hold`);
    await waitForScreen(page, `#/titles/${T.race.bib}/hold`, '予約候補一覧');
    await staff.checkin(server.barcodes.race);
    await page.getByRole('button', { name: '予約する' }).click();
    await page.getByRole('alert').filter({ hasText: '書架にあり、すぐに借りられるため予約できません' }).waitFor();

    await page.goto(`/#/titles/${T.shelf.bib}`);
    await waitForScreen(page, `#/titles/${T.shelf.bib}`, T.shelf.title);
    assert.match(await page.locator('#main').innerText(), /書架にあります/);
    assert.equal(await page.getByRole('link', { name: '予約する' }).count(), 0);

    await page.goto('/#/titles/NO-SUCH-TITLE');
    await page.getByRole('alert').filter({ hasText: 'この資料は見つかりませんでした' }).waitFor();
    await checkScreen(hanako, 'title-not-found');
  });

  it('a hold becomes ready after a counter check-in: email sent, 準備ができました, and no online cancel (R-HOLD-5, R-HOLD-6, R-HOLD-7)', async () => {
    const { page } = hanako;
    await visit(page, '#/holds', '予約一覧');
    await cardOf(page, T.reserve.title).getByRole('link', { name: /予約取消/ }).click();
    await waitForScreen(page, '#/holds/', '予約取消確認');
    await checkScreen(hanako, 'cancel-confirm');

    // Taro returns the book at the counter while Hanako is on 予約取消確認.
    const checkin = await staff.checkin(server.barcodes.reserve);
    assert.ok(checkin.hold_ready, 'check-in made the hold ready');
    assert.equal(checkin.hold_ready.card_number, HANAKO.card);
    await page.getByRole('button', { name: '取消する' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'インターネットからは取り消しできません' });
    await refusal.waitFor();
    assert.match(await refusal.innerText(), new RegExp(library.phone));
    await checkScreen(hanako, 'cancel-refused-ready');

    const outbox = await staff.outbox();
    const toHanako = (m) => m.to === HANAKO.email || (Array.isArray(m.to) && m.to.includes(HANAKO.email));
    const mail = outbox.find((m) => toHanako(m) && `${m.subject}\n${m.text}`.includes(T.reserve.title));
    assert.ok(mail, `hold-ready email to ${HANAKO.email} in /dev/outbox: ${JSON.stringify(outbox).slice(0, 500)}`);

    // The API's own answer names the library's number too (docs/api.md).
    const direct = await page.evaluate(async (holdId) => {
      const response = await fetch(`/api/me/holds/${encodeURIComponent(holdId)}`, {
        method: 'DELETE',
        headers: { 'X-MyPage-CSRF': '1' },
        credentials: 'same-origin',
      });
      return { status: response.status, body: await response.json() };
    }, checkin.hold_ready.hold_id);
    assert.equal(direct.status, 409);
    assert.equal(direct.body.error.code, 'ready_for_pickup');
    assert.match(direct.body.error.message, new RegExp(library.phone));

    await page.getByRole('link', { name: /予約一覧へ戻る/ }).click();
    await waitForScreen(page, '#/holds', '予約一覧');
    const card = cardOf(page, T.reserve.title);
    await card.getByText('準備ができました').waitFor();
    assert.match(await card.innerText(), /取り置き期限\s*2026年12月2日/);
    assert.match(await card.innerText(), new RegExp(library.phone));
    assert.equal(await card.getByRole('link', { name: /予約取消/ }).count(), 0);
    await checkScreen(hanako, 'holds-ready');
  });

  it('予約取消 → 予約取消確認 → 取消する cancels a waiting hold (R-HOLD-5)', async () => {
    const { page } = hanako;
    await cardOf(page, T.wait.title).getByRole('link', { name: `「${T.wait.title}」の予約取消` }).click();
    await waitForScreen(page, '#/holds/', '予約取消確認');
    await page.getByRole('button', { name: '取消する' }).click();
    await waitForScreen(page, '#/holds', '予約一覧');
    await waitForFlash(page, `「${T.wait.title}」の貸出待ち登録を取り消しました`);
    assert.equal(await cardOf(page, T.wait.title).count(), 0);
    await checkScreen(hanako, 'holds-after-cancel');
  });

  it('お知らせメール設定: 返却期限日お知らせ, 延滞のお知らせ and 新着図書お知らせ with authors, subjects, keywords (R-MAIL-1, R-MAIL-2, R-MAIL-6)', async () => {
    const { page } = hanako;
    await openFromMenu(page, 'お知らせメール設定', '#/notifications');
    await checkScreen(hanako, 'notifications');

    await page.getByLabel('返却期限日お知らせメールを受け取る').check();
    assert.equal(await page.getByLabel('延滞のお知らせメールを受け取る').isChecked(), false);
    await page.getByLabel('延滞のお知らせメールを受け取る').check();
    await page.getByLabel('新着図書お知らせメールを受け取る').check();
    await page.getByLabel('著者').fill('鴨川 太郎\n八坂 和子');
    await page.getByLabel('テーマ（件名）').fill('京都');
    const keywords = page.getByLabel('キーワード');
    await keywords.fill(Array.from({ length: 21 }, (_, i) => `言葉${i + 1}`).join('\n'));
    await page.getByRole('button', { name: '設定を保存する' }).click();
    await page.getByRole('alert').filter({ hasText: 'キーワードは20件までです' }).waitFor();
    assert.equal(await keywords.getAttribute('aria-invalid'), 'true');
    await checkScreen(hanako, 'notifications-too-many');

    await keywords.fill('路地\n町家');
    await page.getByRole('button', { name: '設定を保存する' }).click();
    await waitForFlash(page, 'お知らせメールの設定を保存しました');
    await page.reload();
    await waitForScreen(page, '#/notifications', 'お知らせメール設定');
    assert.equal(await page.getByLabel('返却期限日お知らせメールを受け取る').isChecked(), true);
    assert.equal(await page.getByLabel('延滞のお知らせメールを受け取る').isChecked(), true);
    assert.equal(await page.getByLabel('新着図書お知らせメールを受け取る').isChecked(), true);
    assert.equal(await page.getByLabel('著者').inputValue(), '鴨川 太郎\n八坂 和子');
    const saved = await page.evaluate(async () => (await fetch('/api/me/notifications')).json());
    assert.equal(saved.overdue_notice, true, JSON.stringify(saved));
    assert.equal(saved.due_reminder, true, JSON.stringify(saved));
    assert.equal(await page.getByLabel('キーワード').inputValue(), '路地\n町家');
    await checkScreen(hanako, 'notifications-saved');

    // A new title by a followed author is announced by the daily job.
    await titleWithCopy(staff, 'B-NEWKAMO', '鴨川の新しい本', '鴨川 太郎', ['随筆']);
    await staff.run('new-arrivals');
    const outbox = await staff.outbox();
    assert.ok(
      outbox.some((m) => JSON.stringify(m.to).includes(HANAKO.email) && `${m.subject}\n${m.text}`.includes('鴨川の新しい本')),
      'new-arrivals email for a followed author',
    );
  });

  it('電子書籍・オーディオブック: an eligible patron gets the launch link (R-EBOOK-1)', async () => {
    const { page } = hanako;
    await openFromMenu(page, '電子書籍・オーディオブック', '#/ebooks');
    const link = page.getByRole('link', { name: /電子書籍・オーディオブックを利用する/ });
    assert.match(await link.getAttribute('href'), /^https?:\/\//);
    await checkScreen(hanako, 'ebooks-eligible');
  });

  it('the English switch translates the screen and back', async () => {
    const { page } = hanako;
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('h1', { hasText: 'E-books & audiobooks' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await page.goto('/#/loans');
    await page.locator('h1', { hasText: 'Loans' }).waitFor();
    await checkScreen(hanako, 'loans-english');
    await page.getByRole('button', { name: '日本語' }).click();
    await page.locator('h1', { hasText: '貸出一覧' }).waitFor();
  });

  it('ログアウト ends the session (DELETE /api/session)', async () => {
    const { page } = hanako;
    await page.locator('#site-nav').getByRole('button', { name: 'ログアウト' }).click();
    await waitForScreen(page, '#/login', 'ログイン');
    await waitForFlash(page, 'ログアウトしました');
    await checkScreen(hanako, 'logged-out');
    const answer = await page.evaluate(async () => (await fetch('/api/me')).status);
    assert.equal(answer, 401);
    await page.goto('/#/holds');
    await waitForScreen(page, '#/login', 'ログイン');
    assert.match(page.url(), /next=%2Fholds/);
  });

  it('an expired session goes back to ログイン and, after login, to where the patron was going', async () => {
    const { page } = hanako;
    // Keyboard-only login.
    await visit(page, '#/login', 'ログイン');
    await tabTo(page, page.getByLabel('図書館カード番号'));
    await page.keyboard.type(HANAKO.card);
    await page.keyboard.press('Tab');
    await page.keyboard.type(HANAKO.password);
    await page.keyboard.press('Enter');
    await waitForScreen(page, '#/loans', '貸出一覧');

    await openFromMenu(page, 'お知らせメール設定', '#/notifications');
    await staff.setClock(LATE_TODAY);
    await page.locator('#site-nav').getByRole('link', { name: '予約一覧' }).click();
    await waitForScreen(page, '#/login', 'ログイン');
    await page.getByText('ログインの有効期限が切れました').waitFor();
    await checkScreen(hanako, 'login-expired');

    await logIn(page, HANAKO.card, HANAKO.password);
    await waitForScreen(page, '#/holds', '予約一覧');
    await cardOf(page, T.reserve.title).waitFor();
  });

  it('電子書籍・オーディオブック: a patron outside the service area is told why (403 not_eligible)', async () => {
    const session = await openPage(browser, server.baseUrl);
    const { page } = session;
    await page.goto('/#/ebooks');
    await waitForScreen(page, '#/login', 'ログイン');
    await logIn(page, TARO.card, TARO.password);
    await waitForScreen(page, '#/ebooks', '電子書籍・オーディオブック');
    await page.getByText('京都府内に在住・通学・通勤の方のみ').waitFor();
    assert.equal(await page.getByRole('link', { name: /電子書籍・オーディオブックを利用する/ }).count(), 0);
    await checkScreen(session, 'ebooks-not-eligible');
    await session.context.close();
  });

  it('the 11th hold is refused (hold_limit_reached, R-HOLD-2); メール needs an address (email_not_registered)', async () => {
    const session = await openPage(browser, server.baseUrl);
    const { page } = session;
    const eleventh = LIMIT_TITLES[10];
    // The catalog's link, followed before logging in.
    await page.goto(`/#/titles/${eleventh.bib}`);
    await waitForScreen(page, `#/titles/${eleventh.bib}`, eleventh.title);
    await page.getByRole('link', { name: '予約する' }).click();
    await waitForScreen(page, '#/login', 'ログイン');
    await logIn(page, JIRO.card, JIRO.password);
    await waitForScreen(page, `#/titles/${eleventh.bib}/hold`, '予約候補一覧');

    assert.equal(await page.getByRole('radio', { name: /メール/ }).isDisabled(), true);
    assert.match(await page.locator('#main').innerText(), /現在10件/);
    await checkScreen(session, 'hold-candidates-no-email');
    await page.getByRole('button', { name: '予約する' }).click();
    await page.getByRole('alert').filter({ hasText: '貸出待ち登録は10件までです' }).waitFor();
    await checkScreen(session, 'hold-refused-limit');

    await visit(page, '#/notifications', 'お知らせメール設定');
    await page.getByLabel('返却期限日お知らせメールを受け取る').check();
    await page.getByRole('button', { name: '設定を保存する' }).click();
    await page.getByRole('alert').filter({ hasText: 'メールアドレスが登録されていません' }).waitFor();
    await checkScreen(session, 'notifications-no-email');
    await session.context.close();
  });

  it('every state-changing API request carried X-MyPage-CSRF: 1, and the API refuses one without it', async () => {
    assert.ok(hanako.apiWrites.length > 5);
    for (const write of hanako.apiWrites) {
      assert.equal(write.csrf, '1', `${write.method} ${write.path} without X-MyPage-CSRF`);
    }
    const { page } = hanako;
    const answer = await page.evaluate(async () => {
      const response = await fetch('/api/me/email', { method: 'DELETE', credentials: 'same-origin' });
      return { status: response.status, body: await response.json().catch(() => null) };
    });
    assert.equal(answer.status, 403);
    assert.equal(answer.body?.error?.code, 'csrf_check_failed');
  });
});
