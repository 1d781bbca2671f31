// The counter side and the dev-only routes, used by the tests to build their own data.

import { staffKey } from './server.js';

async function call(baseUrl, method, path, body, headers = {}) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  return { status: response.status, data };
}

async function expectOk(promise, what) {
  const { status, data } = await promise;
  if (status < 200 || status >= 300) {
    throw new Error(`${what}: HTTP ${status} ${JSON.stringify(data)}`);
  }
  return data;
}

export function staffClient(baseUrl) {
  const staff = (method, path, body) => call(baseUrl, method, path, body, { 'X-Staff-Key': staffKey });
  return {
    patron: (card_number, name, ebook_eligible = false) =>
      expectOk(staff('POST', '/api/staff/patrons', { card_number, name, ebook_eligible }), `register patron ${card_number}`),
    async temporaryPassword(card) {
      const data = await expectOk(staff('POST', `/api/staff/patrons/${card}/temporary-password`), `temporary password ${card}`);
      return data.temporary_password;
    },
    title: (bib_id, title, author, subjects = []) =>
      expectOk(staff('POST', '/api/staff/titles', { bib_id, title, author, subjects }), `add title ${bib_id}`),
    copy: (barcode, bib_id) => expectOk(staff('POST', '/api/staff/copies', { barcode, bib_id }), `add copy ${barcode}`),
    checkout: (card_number, barcode, interlibrary_due_date) =>
      expectOk(
        staff('POST', '/api/staff/checkouts', { card_number, barcode, ...(interlibrary_due_date ? { interlibrary_due_date } : {}) }),
        `check out ${barcode} to ${card_number}`,
      ),
    checkin: (barcode) => expectOk(staff('POST', '/api/staff/checkins', { barcode }), `check in ${barcode}`),
    hold: (card_number, bib_id, notify = 'none') =>
      expectOk(staff('POST', '/api/staff/holds', { card_number, bib_id, notify }), `counter hold ${bib_id} for ${card_number}`),
    closeDay: (date, reason) =>
      expectOk(staff('PUT', `/api/staff/calendar/closed-days/${date}`, { reason }), `close ${date}`),
    setClock: (now) => expectOk(call(baseUrl, 'PUT', '/dev/clock', { now }), `set clock ${now}`),
    outbox: () => expectOk(call(baseUrl, 'GET', '/dev/outbox'), 'read outbox'),
    run: (job) => expectOk(call(baseUrl, 'POST', `/dev/run/${job}`), `run ${job}`),
    // The token in the newest verification email to `email` (R-MAIL-5), or null.
    async verificationToken(email) {
      const outbox = await expectOk(call(baseUrl, 'GET', '/dev/outbox'), 'read outbox');
      const to = (m) => m.to === email || (Array.isArray(m.to) && m.to.includes(email));
      for (const m of [...outbox].reverse()) {
        const found = to(m) && /verify-email\?token=([A-Za-z0-9_-]+)/.exec(m.text ?? '');
        if (found) return found[1];
      }
      return null;
    },
    raw: call.bind(null, baseUrl),
  };
}

// A title with one copy, the copy's barcode derived from the bib_id.
export async function titleWithCopy(staff, bibId, title, author, subjects = []) {
  await staff.title(bibId, title, author, subjects);
  await staff.copy(`${bibId}-C1`, bibId);
  return `${bibId}-C1`;
}

// Gives a registered patron their own password through the API (no browser), for patrons
// whose first login is not what a test is about.
export async function activatePatron(baseUrl, staff, card, password) {
  const temporary = await staff.temporaryPassword(card);
  const login = await expectOk(call(baseUrl, 'POST', '/api/session', { card_number: card, password: temporary }), `login ${card}`);
  await expectOk(
    call(baseUrl, 'PUT', '/api/me/password', { current_password: temporary, new_password: password }, {
      Authorization: `Bearer ${login.token}`,
      'X-MyPage-CSRF': '1',
    }),
    `set password ${card}`,
  );
  // That session is not one the test uses: end it, so the patron's session list holds only
  // the sessions a test opens.
  await call(baseUrl, 'DELETE', '/api/session', undefined, { Authorization: `Bearer ${login.token}` });
}

// Registers a patron's email address through the API and (unless `confirm` is false) confirms it
// (R-MAIL-5), for patrons whose email setup is not what a test is about.
export async function registerEmail(baseUrl, staff, card, password, email, { confirm = true } = {}) {
  const login = await expectOk(call(baseUrl, 'POST', '/api/session', { card_number: card, password }), `login ${card}`);
  const auth = { Authorization: `Bearer ${login.token}`, 'X-MyPage-CSRF': '1' };
  await expectOk(call(baseUrl, 'PUT', '/api/me/email', { email }, auth), `set email of ${card}`);
  if (confirm) {
    const token = await staff.verificationToken(email);
    if (!token) throw new Error(`no verification email to ${email}`);
    await expectOk(call(baseUrl, 'POST', '/api/email-verification', { token }, { 'X-MyPage-CSRF': '1' }), `verify ${email}`);
  }
  await call(baseUrl, 'DELETE', '/api/session', undefined, auth);
}
