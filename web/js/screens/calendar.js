// 休館日カレンダー (R-CAL-2): one month of the library's closed days, weekly ones (定休日) and
// dated ones, in a month table and as a list. No login needed.

import { api } from '../api.js';
import { t, formatDate } from '../i18n.js';
import { h, heading, linkButton } from '../dom.js';
import { todayInJapan } from '../closures.js';

function monthOf(query) {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(query.month ?? '') ? query.month : todayInJapan().slice(0, 7);
}

function shiftMonth(month, delta) {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + delta, 1));
  return d.toISOString().slice(0, 7);
}

function monthTable(month, byDate, today) {
  const [y, m] = month.split('-').map(Number);
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const firstWeekday = new Date(Date.UTC(y, m - 1, 1)).getUTCDay();
  const weekdays = t('common.weekdays').split(',');
  const rows = [];
  let cells = [];
  for (let i = 0; i < firstWeekday; i += 1) cells.push(h('td', { class: 'day day--empty' }));
  for (let d = 1; d <= daysInMonth; d += 1) {
    const iso = `${month}-${String(d).padStart(2, '0')}`;
    const reason = byDate.get(iso);
    cells.push(
      h(
        'td',
        {
          class: `day${reason ? ' day--closed' : ''}${iso === today ? ' day--today' : ''}`,
          'aria-current': iso === today ? 'date' : null,
          'data-date': iso,
        },
        h('span', { class: 'day__number' }, String(d)),
        reason ? h('span', { class: 'day__closed' }, t('calendar.closed')) : null,
        reason ? h('span', { class: 'day__reason' }, reason) : null,
      ),
    );
    if (cells.length === 7) {
      rows.push(h('tr', {}, cells));
      cells = [];
    }
  }
  if (cells.length) {
    while (cells.length < 7) cells.push(h('td', { class: 'day day--empty' }));
    rows.push(h('tr', {}, cells));
  }
  return h(
    'table',
    { class: 'month' },
    h('caption', {}, t('calendar.caption', { y, m })),
    h('thead', {}, h('tr', {}, weekdays.map((w) => h('th', { scope: 'col' }, w)))),
    h('tbody', {}, rows),
  );
}

export async function render({ query }) {
  const month = monthOf(query);
  const [y, m] = month.split('-').map(Number);
  const first = `${month}-01`;
  const last = `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
  const { closed } = await api.calendar(first, last);
  const byDate = new Map(closed.map((c) => [c.date, c.reason]));
  const title = t('calendar.title');
  const node = h(
    'div',
    { class: 'screen' },
    heading(title),
    h('p', {}, t('calendar.intro')),
    h(
      'nav',
      { class: 'actions month-nav', 'aria-label': t('calendar.monthNav') },
      linkButton(`#/calendar?month=${shiftMonth(month, -1)}`, t('calendar.prev')),
      linkButton(`#/calendar?month=${shiftMonth(month, 1)}`, t('calendar.next')),
    ),
    h('div', { class: 'month-wrap' }, monthTable(month, byDate, todayInJapan())),
    h('h2', {}, t('calendar.listHeading', { y, m })),
    closed.length
      ? h(
          'ul',
          { class: 'closed-list' },
          closed.map((c) => h('li', {}, t('calendar.dayWithReason', { date: formatDate(c.date), reason: c.reason }))),
        )
      : h('p', {}, t('calendar.none')),
    h('p', { class: 'note' }, t('calendar.dueNote')),
  );
  return { title, node };
}
