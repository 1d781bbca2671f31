// 予約候補一覧 as the hold cart (R-HOLD-10) and managing holds on 予約一覧 (R-HOLD-11..14):
// 予約候補に追加 from the search results and a title page (logged out: ログイン, then back), the
// cart in the order added, 外す, one 予約連絡方法 for all, 予約する with one result per title
// (placed, or refused in words), the 10-hold limit in cart order; 予約の目安, 休止 until a date
// and 再開, 不要になる日 set and cleared, 連絡方法の変更, dates the server refuses, and a ready hold
// that offers no 休止. Desktop and a 360 px phone, Japanese and English. The server's state is
// read back through the API wherever the screen could be wrong about it.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.js';
import { staffClient, titleWithCopy, activatePatron, registerEmail } from '../lib/staff.js';
import { launchBrowser, openPage, checkScreen, waitForScreen, visit, visitStart, openFromMenu, shutDown, logIn, searchFor, desktop, phone } from '../lib/browser.js';

const TODAY = '2026-11-25T10:00:00+09:00';
const MAIN = { card: '50260001', name: '近江 舞子', password: 'Biwako2026', email: 'maiko@example.jp' };
const LENDER = { card: '50260002', name: '湖西 貸子', password: 'Kosei2026', email: 'kashiko@example.jp' };
const FULL = { card: '50260003', name: '上限 満子', password: 'Jougen2026' };

const T = {
  boats: { bib: 'C-BOATS', title: '琵琶湖の舟運' },
  fish: { bib: 'C-FISH', title: '琵琶湖の漁業' },
  birds: { bib: 'C-BIRDS', title: '琵琶湖の水鳥' },
  isles: { bib: 'C-ISLES', title: '琵琶湖の島々' }, // stays on the shelf
  fest: { bib: 'C-FEST', title: '琵琶湖の祭り' },
  ready: { bib: 'C-READY', title: '湖北の観音' },
};
// FULL has 9 holds; the cart's first title makes 10, the second is refused.
const LIMIT = Array.from({ length: 11 }, (_, i) => ({ bib: `C-LIM${String(i + 1).padStart(2, '0')}`, title: `上限の本 ${i + 1}` }));

let server;
let staff;
let browser;
let desk; // MAIN on a desktop
const barcodes = {};

const shot = (session, name, options = {}) => checkScreen(session, name, { prefix: 'cart-', ...options });
const holdShot = (session, name, options = {}) => checkScreen(session, name, { prefix: 'holds-', ...options });

function cardOf(page, title) {
  return page.locator('#main li.card', { has: page.locator('h2', { hasText: title }) });
}

// What the server has, asked with the page's own session cookie.
async function apiGet(page, path) {
  return page.evaluate(async (p) => {
    const response = await fetch(p, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    return response.json();
  }, path);
}

async function cartBibs(page) {
  return (await apiGet(page, '/api/me/hold-cart')).items.map((x) => x.bib_id);
}

async function holdOn(page, bib) {
  return (await apiGet(page, '/api/me/holds')).holds.find((x) => x.bib_id === bib);
}

// A browser whose "today" (date pickers, closures) is the server's pinned day; logged in as
// `patron` if one is given.
async function openSession(options, patron) {
  const session = await openPage(browser, server.baseUrl, options);
  await session.context.clock.setFixedTime(new Date(TODAY));
  if (patron) {
    await visit(session.page, '#/login', 'ログイン');
    await logIn(session.page, patron.card, patron.password);
    await waitForScreen(session.page, '#/loans', '貸出一覧');
  }
  return session;
}

async function flash(page, text) {
  await page.locator('#main .notice', { hasText: text }).waitFor();
}

// "2026-12-09" as the Japanese screens write it, without the weekday.
function japaneseDate(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

async function openChange(page, title) {
  await visit(page, '#/holds', '予約一覧');
  await cardOf(page, title).getByRole('link', { name: `「${title}」の予約を変更（休止・連絡方法など）` }).click();
  await waitForScreen(page, '#/holds/', '予約の変更');
}

before(async () => {
  server = await startServer({ now: TODAY });
  staff = staffClient(server.baseUrl);
  for (const patron of [MAIN, LENDER, FULL]) {
    await staff.patron(patron.card, patron.name);
    await activatePatron(server.baseUrl, staff, patron.card, patron.password);
  }
  for (const [key, t] of Object.entries(T)) barcodes[key] = await titleWithCopy(staff, t.bib, t.title, '湖 太郎', ['滋賀']);
  for (const t of LIMIT) barcodes[t.bib] = await titleWithCopy(staff, t.bib, t.title, '上限 試験');
  // Every copy is out except 琵琶湖の島々.
  for (const key of ['boats', 'fish', 'birds', 'fest', 'ready']) await staff.checkout(LENDER.card, barcodes[key]);
  for (const t of LIMIT) await staff.checkout(LENDER.card, barcodes[t.bib]);
  for (const t of LIMIT.slice(0, 9)) await staff.hold(FULL.card, t.bib, 'none');
  // MAIN's hold on 湖北の観音 becomes ready when the copy comes back.
  await staff.hold(MAIN.card, T.ready.bib, 'none');
  const checkin = await staff.checkin(barcodes.ready);
  assert.ok(checkin.hold_ready, 'the check-in made the hold ready');

  // A confirmed address, so that メール can be chosen (R-HOLD-3, R-MAIL-5).
  await registerEmail(server.baseUrl, staff, MAIN.card, MAIN.password, MAIN.email);
  // LENDER's address waits for confirmation.
  await registerEmail(server.baseUrl, staff, LENDER.card, LENDER.password, LENDER.email, { confirm: false });

  browser = await launchBrowser();
  desk = await openSession(desktop); // logged out: the first test logs in when asked
});

after(() => shutDown(browser, server));

describe('予約候補一覧 (the hold cart, R-HOLD-10)', () => {
  it('予約候補に追加 while logged out leads to ログイン and back to the cart, with the title in it', async () => {
    const { page } = desk;
    await visitStart(page);
    await searchFor(page, '琵琶湖');
    assert.deepEqual(
      new Set(await page.locator('#main li.card h2').allInnerTexts()),
      new Set([T.boats, T.fish, T.birds, T.isles, T.fest].map((t) => t.title)),
    );
    // A title on the shelf cannot be held, so it cannot go into the cart (R-HOLD-1).
    assert.equal(await cardOf(page, T.isles.title).getByRole('button', { name: /予約候補に追加/ }).count(), 0);
    assert.equal(await cardOf(page, T.boats.title).getByRole('button', { name: /予約候補に追加/ }).count(), 1);
    await shot(desk, 'search-with-add');
    await page.getByRole('button', { name: `「${T.boats.title}」を予約候補に追加` }).click();
    await waitForScreen(page, '#/login', 'ログイン');
    assert.match(page.url(), /next=%2Fhold-cart%2Fadd%2FC-BOATS/);
    await logIn(page, MAIN.card, MAIN.password);
    await waitForScreen(page, '#/hold-cart', '予約候補一覧');
    await flash(page, '予約候補一覧に追加しました');
    assert.equal(new URL(page.url()).hash, '#/hold-cart', 'the add route leaves no trace in the address');
    assert.deepEqual(await cartBibs(page), [T.boats.bib]);
    await shot(desk, 'after-login');
  });

  it('adds from the search results, a title page and 新着図書, and says so in a live region (added, already there)', async () => {
    const { page } = desk;
    await searchFor(page, '琵琶湖');
    const said = (title) => cardOf(page, title).getByRole('status');
    await page.getByRole('button', { name: `「${T.fish.title}」を予約候補に追加` }).click();
    await said(T.fish.title).filter({ hasText: `「${T.fish.title}」を予約候補一覧に追加しました（2点）` }).waitFor();
    await page.getByRole('button', { name: `「${T.birds.title}」を予約候補に追加` }).click();
    await said(T.birds.title).filter({ hasText: '（3点）' }).waitFor();
    await page.getByRole('button', { name: `「${T.boats.title}」を予約候補に追加` }).click();
    await said(T.boats.title).filter({ hasText: `「${T.boats.title}」はすでに予約候補一覧にあります` }).waitFor();
    await shot(desk, 'added-from-search');

    await page.goto(`/#/titles/${T.fest.bib}`);
    await waitForScreen(page, `#/titles/${T.fest.bib}`, T.fest.title);
    // The title page keeps its single 予約する link and gains the cart.
    assert.equal(await page.getByRole('link', { name: '予約する' }).count(), 1);
    await page.getByRole('button', { name: `「${T.fest.title}」を予約候補に追加` }).click();
    await page.getByRole('status').filter({ hasText: '（4点）' }).waitFor();
    await shot(desk, 'added-from-title');
    assert.deepEqual(await cartBibs(page), [T.boats.bib, T.fish.bib, T.birds.bib, T.fest.bib]);

    // 新着図書 offers the cart too, beside its 予約する.
    await visit(page, '#/new-arrivals', '新着図書');
    await page.getByRole('button', { name: `「${T.fish.title}」を予約候補に追加` }).click();
    await said(T.fish.title).filter({ hasText: `「${T.fish.title}」はすでに予約候補一覧にあります` }).waitFor();
    await shot(desk, 'added-from-new-arrivals');
    assert.deepEqual(await cartBibs(page), [T.boats.bib, T.fish.bib, T.birds.bib, T.fest.bib]);
  });

  it('lists the cart in the order added, and 外す takes a title out', async () => {
    const { page } = desk;
    await openFromMenu(page, '予約候補一覧', '#/hold-cart');
    assert.deepEqual(await page.locator('#main li.card h2').allInnerTexts(), [T.boats, T.fish, T.birds, T.fest].map((t) => t.title));
    assert.match(await page.locator('#main .cart-count').innerText(), /予約候補：4点（20点まで）/);
    await page.getByRole('button', { name: `「${T.birds.title}」を予約候補一覧から外す` }).click();
    await flash(page, `「${T.birds.title}」を予約候補一覧から外しました`);
    assert.deepEqual(await page.locator('#main li.card h2').allInnerTexts(), [T.boats, T.fish, T.fest].map((t) => t.title));
    assert.deepEqual(await cartBibs(page), [T.boats.bib, T.fish.bib, T.fest.bib]);
    await shot(desk, 'cart');
  });

  it('予約する with メール chosen once: one result per title, placed ones leave the cart, a refusal stays in words', async () => {
    const { page } = desk;
    // 琵琶湖の漁業 comes back to the shelf while it is in the cart.
    await staff.checkin(barcodes.fish);
    await page.reload();
    await waitForScreen(page, '#/hold-cart', '予約候補一覧');
    assert.match(await cardOf(page, T.fish.title).innerText(), /書架にある資料は予約できません/);
    const email = page.getByRole('radio', { name: new RegExp(`メール（${MAIN.email}`) });
    assert.equal(await email.isChecked(), true, 'メール is the start with a registered address');
    await page.getByRole('radio', { name: /不要/ }).check();
    await email.check();
    await shot(desk, 'before-placing');
    await page.getByRole('button', { name: '予約する' }).click();

    const results = page.locator('#main .results-box');
    await results.getByRole('heading', { name: '予約の結果' }).waitFor();
    assert.match(await results.innerText(), /3点のうち2点を貸出待ち登録しました。/);
    const line = (title) => results.locator('li', { hasText: title });
    assert.match(await line(T.boats.title).innerText(), /貸出待ち登録しました（順番待ち 1番目）/);
    assert.match(await line(T.fest.title).innerText(), /貸出待ち登録しました/);
    assert.match(await line(T.fish.title).innerText(), /登録できませんでした：この資料は書架にあり、すぐに借りられるため予約できません/);
    // Only the refused title is left in the cart, on the screen and on the server.
    assert.deepEqual(await page.locator('#main li.card h2').allInnerTexts(), [T.fish.title]);
    assert.deepEqual(await cartBibs(page), [T.fish.bib]);
    for (const t of [T.boats, T.fest]) {
      const hold = await holdOn(page, t.bib);
      assert.equal(hold?.status, 'waiting', `${t.title} held`);
      assert.equal(hold.notify, 'email', `${t.title} with メール`);
    }
    assert.equal(await holdOn(page, T.fish.bib), undefined);
    await shot(desk, 'results');

    await results.getByRole('link', { name: '予約一覧へ' }).click();
    await waitForScreen(page, '#/holds', '予約一覧');
    assert.equal(await cardOf(page, T.boats.title).count(), 1);
    await page.getByRole('link', { name: '予約候補一覧へ' }).click();
    await waitForScreen(page, '#/hold-cart', '予約候補一覧');
  });

  it('the 10-hold limit counts in cart order (R-HOLD-2); without an address only 不要 can be chosen', async () => {
    const session = await openSession(desktop, FULL);
    const { page } = session;
    for (const t of LIMIT.slice(9)) {
      await page.goto(`/#/hold-cart/add/${t.bib}`);
      await waitForScreen(page, '#/hold-cart', '予約候補一覧');
      await page.locator('#main li.card h2', { hasText: t.title }).waitFor();
    }
    assert.equal(await page.getByRole('radio', { name: /メール/ }).isDisabled(), true);
    assert.equal(await page.getByRole('radio', { name: /不要/ }).isChecked(), true);
    assert.match(await page.locator('#main').innerText(), /現在9件/);
    await page.getByRole('button', { name: '予約する' }).click();
    const results = page.locator('#main .results-box');
    await results.getByRole('heading', { name: '予約の結果' }).waitFor();
    assert.match(await results.locator('li', { hasText: LIMIT[9].title }).innerText(), /貸出待ち登録しました/);
    assert.match(await results.locator('li', { hasText: LIMIT[10].title }).innerText(), /登録できませんでした：貸出待ち登録は10件までです/);
    assert.deepEqual(await cartBibs(page), [LIMIT[10].bib]);
    assert.equal((await apiGet(page, '/api/me/holds')).holds.length, 10);
    await shot(session, 'limit-results');
    await session.context.close();
  });

  it('says that メール to an address not yet confirmed is not sent (R-MAIL-5)', async () => {
    const session = await openSession(desktop, LENDER);
    const { page } = session;
    await page.goto(`/#/hold-cart/add/${T.isles.bib}`);
    await waitForScreen(page, '#/hold-cart', '予約候補一覧');
    // Any title of the catalog may wait in the cart; one on the shelf says it cannot be held.
    assert.match(await cardOf(page, T.isles.title).innerText(), /書架にある資料は予約できません/);
    const email = page.getByRole('radio', { name: new RegExp(`メール（${LENDER.email}`) });
    assert.equal(await email.isEnabled(), true);
    const hint = await email.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby'))?.textContent ?? '');
    assert.match(hint, /確認待ちです。確認が終わるまでは、準備ができてもメールは届きません/);
    await shot(session, 'unverified-email');
    await session.context.close();
  });

  it('fits a 360 px phone, in Japanese and English', async () => {
    const small = await openSession(phone, MAIN);
    const { page } = small;
    await page.goto(`/#/titles/${T.birds.bib}`);
    await waitForScreen(page, `#/titles/${T.birds.bib}`, T.birds.title);
    await page.getByRole('button', { name: `「${T.birds.title}」を予約候補に追加` }).click();
    await page.getByRole('status').filter({ hasText: '（2点）' }).waitFor();
    await shot(small, 'phone-title', { phoneLayout: true });
    await page.getByRole('status').getByRole('link', { name: '予約候補一覧を見る' }).click();
    await waitForScreen(page, '#/hold-cart', '予約候補一覧');
    assert.deepEqual(await page.locator('#main li.card h2').allInnerTexts(), [T.fish.title, T.birds.title]);
    await shot(small, 'phone', { phoneLayout: true });

    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('h1', { hasText: 'Hold cart' }).waitFor();
    assert.match(await page.locator('#main .cart-count').innerText(), /In the cart: 2 \(up to 20\)/);
    await page.getByRole('button', { name: `Remove “${T.birds.title}” from the hold cart` }).click();
    await flash(page, `“${T.birds.title}” has been removed from the hold cart.`);
    assert.equal(await page.getByRole('button', { name: 'Place holds' }).count(), 1);
    await shot(small, 'phone-english', { phoneLayout: true });
    assert.deepEqual(await cartBibs(page), [T.fish.bib]);

    await page.goto('/#/holds');
    await page.locator('h1', { hasText: 'Holds' }).waitFor();
    assert.match(await cardOf(page, T.boats.title).innerText(), /Estimate: around/);
    await holdShot(small, 'phone-english', { phoneLayout: true });
    await page.getByRole('button', { name: '日本語' }).click();
    await page.locator('h1', { hasText: '予約一覧' }).waitFor();
    await openChange(page, T.boats.title);
    await holdShot(small, 'phone-change', { phoneLayout: true });
    await small.context.close();
  });
});

describe('予約一覧: managing holds (R-HOLD-11..14)', () => {
  it('shows 予約の目安 as an estimate (R-HOLD-14)', async () => {
    const { page } = desk;
    await visit(page, '#/holds', '予約一覧');
    const hold = await holdOn(page, T.boats.bib);
    assert.ok(hold.estimated_ready_on, 'the API gives an estimate for a waiting hold');
    const text = await cardOf(page, T.boats.title).innerText();
    assert.match(text, /予約の目安/);
    assert.match(text, new RegExp(`目安：${japaneseDate(hold.estimated_ready_on)}（.）ごろ`));
    // A ready hold has no estimate.
    assert.doesNotMatch(await cardOf(page, T.ready.title).innerText(), /目安/);
    await holdShot(desk, 'list');
  });

  it('休止 until a date shows 休止中 and the date, keeps the place in line, and 再開 ends it (R-HOLD-11)', async () => {
    const { page } = desk;
    await openChange(page, T.boats.title);
    await holdShot(desk, 'change');
    await page.getByLabel('再開する日').fill('2026-12-10');
    await page.getByRole('button', { name: '休止する' }).click();
    await waitForScreen(page, '#/holds', '予約一覧');
    await flash(page, `「${T.boats.title}」の予約を休止しました。2026年12月10日（木）から再開します。`);
    const card = cardOf(page, T.boats.title);
    const text = await card.innerText();
    assert.match(text, /休止中（2026年12月10日（木）から再開）/);
    assert.match(text, /1番目（休止中も順番はそのままです）/);
    assert.doesNotMatch(text, /目安：/, 'no estimate while suspended');
    let hold = await holdOn(page, T.boats.bib);
    assert.equal(hold.status, 'suspended');
    assert.equal(hold.suspended_until, '2026-12-10');
    await holdShot(desk, 'suspended');

    await openChange(page, T.boats.title);
    assert.equal(await page.getByLabel('再開する日').inputValue(), '2026-12-10');
    await page.getByRole('button', { name: '今すぐ再開する' }).click();
    await waitForScreen(page, '#/holds', '予約一覧');
    await flash(page, `「${T.boats.title}」の予約を再開しました。`);
    assert.match(await cardOf(page, T.boats.title).innerText(), /順番待ち 1番目/);
    hold = await holdOn(page, T.boats.bib);
    assert.equal(hold.status, 'waiting');
    assert.equal(hold.suspended_until, null);
  });

  it('refuses a missing or out-of-range date with a clear message (400 invalid_date)', async () => {
    const { page } = desk;
    await openChange(page, T.boats.title);
    await page.getByRole('button', { name: '休止する' }).click();
    const resumeOn = page.getByLabel('再開する日');
    await page.getByRole('alert').filter({ hasText: '日付を選んでください。' }).waitFor();
    assert.equal(await resumeOn.getAttribute('aria-invalid'), 'true');

    // Today cannot be the day a suspension ends: the server says no.
    await resumeOn.fill('2026-11-25');
    const refused = page.waitForResponse((r) => r.request().method() === 'PATCH');
    await page.getByRole('button', { name: '休止する' }).click();
    const answer = await refused;
    assert.equal(answer.status(), 400);
    assert.equal((await answer.json()).error.code, 'invalid_date');
    await page.getByRole('alert').filter({ hasText: '再開する日は、明日から365日後までの日付を選んでください。' }).waitFor();
    assert.equal(new URL(page.url()).hash.endsWith('/change'), true, 'still on 予約の変更');

    await page.getByLabel('不要になる日', { exact: true }).fill('2028-01-01');
    await page.getByRole('button', { name: '設定する' }).click();
    await page.getByRole('alert').filter({ hasText: '不要になる日は、今日から365日後までの日付を選んでください。' }).waitFor();
    await holdShot(desk, 'invalid-date');
    const hold = await holdOn(page, T.boats.bib);
    assert.equal(hold.status, 'waiting');
    assert.equal(hold.not_needed_after, null);
  });

  it('不要になる日 can be set and cleared (R-HOLD-12)', async () => {
    const { page } = desk;
    await openChange(page, T.boats.title);
    await page.getByLabel('不要になる日', { exact: true }).fill('2027-01-31');
    await page.getByRole('button', { name: '設定する' }).click();
    await waitForScreen(page, '#/holds', '予約一覧');
    await flash(page, `「${T.boats.title}」の不要になる日を2027年1月31日（日）にしました。`);
    assert.match(await cardOf(page, T.boats.title).innerText(), /不要になる日\s*2027年1月31日（日）/);
    assert.equal((await holdOn(page, T.boats.bib)).not_needed_after, '2027-01-31');

    await openChange(page, T.boats.title);
    await page.getByRole('button', { name: '設定をやめる' }).click();
    await waitForScreen(page, '#/holds', '予約一覧');
    await flash(page, `「${T.boats.title}」の不要になる日の設定をやめました。`);
    assert.doesNotMatch(await cardOf(page, T.boats.title).innerText(), /不要になる日/);
    assert.equal((await holdOn(page, T.boats.bib)).not_needed_after, null);
  });

  it('連絡方法の変更: メール to 不要 (R-HOLD-13)', async () => {
    const { page } = desk;
    await openChange(page, T.boats.title);
    assert.equal(await page.getByRole('radio', { name: /メール/ }).isChecked(), true, 'starts from the current method');
    await page.getByRole('radio', { name: /不要/ }).check();
    await page.getByRole('button', { name: '連絡方法を変更する' }).click();
    await waitForScreen(page, '#/holds', '予約一覧');
    await flash(page, `「${T.boats.title}」の連絡方法を「不要」にしました。`);
    assert.match(await cardOf(page, T.boats.title).innerText(), /連絡方法\s*不要/);
    assert.equal((await holdOn(page, T.boats.bib)).notify, 'none');
  });

  it('a ready hold offers no 休止, only the contact method; the API refuses to suspend it (409 ready_for_pickup)', async () => {
    const { page } = desk;
    await openChange(page, T.ready.title);
    await page.locator('#main .notice', { hasText: '連絡方法だけ変更できます' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /休止/ }).count(), 0);
    assert.equal(await page.locator('#main input[type=date]').count(), 0);
    await holdShot(desk, 'change-ready');
    const hold = await holdOn(page, T.ready.bib);
    const direct = await page.evaluate(async (holdId) => {
      const response = await fetch(`/api/me/holds/${encodeURIComponent(holdId)}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', 'X-MyPage-CSRF': '1' },
        credentials: 'same-origin',
        body: JSON.stringify({ suspended_until: '2026-12-10' }),
      });
      return { status: response.status, body: await response.json() };
    }, hold.hold_id);
    assert.equal(direct.status, 409);
    assert.equal(direct.body.error.code, 'ready_for_pickup');

    await page.getByRole('radio', { name: /メール/ }).check();
    await page.getByRole('button', { name: '連絡方法を変更する' }).click();
    await waitForScreen(page, '#/holds', '予約一覧');
    await flash(page, `「${T.ready.title}」の連絡方法を「メール」にしました。`);
    const after = await holdOn(page, T.ready.bib);
    assert.equal(after.status, 'ready');
    assert.equal(after.notify, 'email');
  });

  it('every state-changing request carried X-MyPage-CSRF: 1', async () => {
    assert.ok(desk.apiWrites.some((w) => w.method === 'PATCH'));
    assert.ok(desk.apiWrites.some((w) => w.method === 'PUT' && w.path.startsWith('/api/me/hold-cart/')));
    for (const write of desk.apiWrites) assert.equal(write.csrf, '1', `${write.method} ${write.path}`);
  });
});
