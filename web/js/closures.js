// The library's closed days (R-CAL-1, R-CAL-2) as the screens use them: today's date in
// Japan, a period's closed days from the API, and the closures before a due date or a pickup
// deadline, shown beside it.

import { api } from './api.js';
import { t, formatDate } from './i18n.js';
import { h } from './dom.js';

// "YYYY-MM-DD" of today in Japan (Asia/Tokyo), whatever the browser's time zone.
export function todayInJapan(now = new Date()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export function addDays(iso, days) {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

// The closed days from `from` to `to` (at most 366 dates, as the API allows); [] if the
// calendar cannot be read (the closures are a help, never a reason to fail a screen).
export async function closedDaysBetween(from, to) {
  if (!from || !to || to < from) return [];
  const last = addDays(from, 365) < to ? addDays(from, 365) : to;
  try {
    const { closed } = await api.calendar(from, last);
    return closed;
  } catch {
    return [];
  }
}

// The closures from today up to (not including) `until`, for the fact row beside a due date or
// pickup deadline: "12月10日（木）蔵書点検、…", at most four, then "ほか n日".
export function closuresBefore(closed, today, until) {
  const before = closed.filter((c) => c.date >= today && c.date < until);
  if (!before.length) return null;
  const shown = before.slice(0, 4).map((c) => t('calendar.dayWithReason', { date: formatDate(c.date), reason: c.reason }));
  const more = before.length > 4 ? t('calendar.more', { n: before.length - 4 }) : '';
  return h('span', { class: 'closures' }, shown.join(t('calendar.separator')), more, ' ', h('a', { href: '#/calendar' }, t('calendar.link')));
}
