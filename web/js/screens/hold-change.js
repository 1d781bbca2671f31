// 予約の変更, #/holds/{hold_id}/change: 休止 until a date and 再開 (R-HOLD-11), 不要になる日
// (R-HOLD-12) and 連絡方法の変更 (R-HOLD-13), one form each, each one PATCH. A ready hold offers
// only the contact method (the API refuses to suspend it: 409 ready_for_pickup).

import { api } from '../api.js';
import { t, formatDate } from '../i18n.js';
import { h, heading, notice, field, linkButton, onSubmit, replaceChildren } from '../dom.js';
import { setFlash, errorText, errorContent } from '../state.js';
import { navigate } from '../router.js';
import { loadMe } from '../session.js';
import { todayInJapan, addDays } from '../closures.js';
import { notifyFieldset, chosenNotify, registerEmailLink } from '../notify-choice.js';
import { holdFacts } from './holds.js';

// The farthest a 休止 or 不要になる日 may lie ahead (the server checks it too: 400 invalid_date).
const MAX_DAYS_AHEAD = 365;

function dateField(name, label, hint, value, firstDay) {
  const date = field({ name, label, hint, type: 'date', value });
  // A help for the picker only: the server's clock decides (today may differ by a day here).
  const today = todayInJapan();
  date.input.min = addDays(today, firstDay);
  date.input.max = addDays(today, MAX_DAYS_AHEAD);
  return date;
}

// A date the patron picked, or an error message for the field.
function pickedDate(date) {
  const value = date.input.value;
  if (!value) return { invalid: t('change.dateMissing') };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return { invalid: t('change.dateInvalid') };
  return { value };
}

// One form of the page: on submit, `change(button, form)` gives the PATCH body and the words for
// 予約一覧, or an error for `date`; the server's refusal is shown in words with `variant`.
function changeForm(hold, { legend, lead, parts = [], buttons, change, date, variant }) {
  const formAlert = notice('error');
  const form = h(
    'form',
    { class: 'form change-form', novalidate: true },
    h('h2', {}, legend),
    lead ? h('p', { class: 'field-hint' }, lead) : null,
    formAlert,
    date?.wrapper,
    parts,
    h('div', { class: 'actions' }, buttons),
  );
  onSubmit(form, formAlert, async (event) => {
    date?.setError(null);
    const wanted = change(event.submitter?.value ?? '', form);
    if (wanted.invalid) {
      date.setError(wanted.invalid);
      date.input.focus();
      return;
    }
    try {
      const changed = await api.changeHold(hold.hold_id, wanted.body);
      setFlash('success', wanted.done(changed));
      navigate('/holds');
    } catch (error) {
      if (error.handled) return;
      if (error.code === 'invalid_date' && date) {
        date.setError(errorText(error, variant));
        date.input.focus();
      } else {
        replaceChildren(formAlert, errorContent(error, variant), registerEmailLink(error));
      }
    }
  });
  return h('section', { class: 'panel' }, form);
}

function button(text, { value = 'set', secondary = false } = {}) {
  return h('button', { type: 'submit', class: secondary ? 'button button--secondary' : 'button', value }, text);
}

function suspendForm(hold) {
  const suspended = hold.status === 'suspended';
  const date = dateField('suspended_until', t('change.resumeOn'), t('change.resumeOnHint'), suspended ? hold.suspended_until : null, 1);
  return changeForm(hold, {
    legend: t('change.suspendHeading'),
    lead: t('change.suspendLead'),
    date,
    variant: 'suspend',
    buttons: [
      button(suspended ? t('change.suspendMove') : t('change.suspend')),
      suspended ? button(t('change.resume'), { value: 'resume', secondary: true }) : null,
    ],
    change(pressed) {
      if (pressed === 'resume') {
        return {
          body: { suspended_until: null },
          done: (changed) => t(changed.status === 'ready' ? 'change.resumedReady' : 'change.resumed', { title: hold.title }),
        };
      }
      const picked = pickedDate(date);
      if (picked.invalid) return picked;
      return {
        body: { suspended_until: picked.value },
        done: () => t('change.suspended', { title: hold.title, date: formatDate(picked.value) }),
      };
    },
  });
}

function notNeededForm(hold) {
  const current = hold.not_needed_after;
  const date = dateField('not_needed_after', t('change.notNeededOn'), t('change.notNeededHint'), current, 0);
  return changeForm(hold, {
    legend: t('change.notNeededHeading'),
    lead: t('change.notNeededLead'),
    date,
    variant: 'notNeeded',
    buttons: [button(t('change.notNeededSet')), current ? button(t('change.notNeededClear'), { value: 'clear', secondary: true }) : null],
    change(pressed) {
      if (pressed === 'clear') {
        return { body: { not_needed_after: null }, done: () => t('change.notNeededCleared', { title: hold.title }) };
      }
      const picked = pickedDate(date);
      if (picked.invalid) return picked;
      return {
        body: { not_needed_after: picked.value },
        done: () => t('change.notNeededDone', { title: hold.title, date: formatDate(picked.value) }),
      };
    },
  });
}

function notifyForm(hold, me) {
  return changeForm(hold, {
    legend: t('change.notifyHeading'),
    parts: [notifyFieldset(me, { current: hold.notify })],
    buttons: [button(t('change.notifySubmit'))],
    change(pressed, form) {
      const notify = chosenNotify(form);
      return { body: { notify }, done: () => t('change.notifyDone', { title: hold.title, method: t(`notify.${notify}`) }) };
    },
  });
}

export async function render({ params }) {
  const [{ holds }, me] = await Promise.all([api.holds(), loadMe()]);
  const hold = holds.find((x) => x.hold_id === params.holdId);
  const title = t('change.title');
  const back = h('p', {}, linkButton('#/holds', t('change.back')));
  if (!hold) {
    return { title, node: h('div', { class: 'screen screen--narrow' }, heading(title), notice('error', t('cancel.notFound')), back) };
  }
  const ready = hold.status === 'ready';
  const node = h(
    'div',
    { class: 'screen screen--narrow' },
    heading(title),
    h('div', { class: 'card card--single' }, h('div', { class: 'card__body' }, h('h2', { class: 'card__title' }, hold.title), holdFacts(hold))),
    ready ? notice('warning', t('change.readyOnly')) : null,
    ready ? null : suspendForm(hold),
    ready ? null : notNeededForm(hold),
    notifyForm(hold, me),
    back,
  );
  return { title, node };
}
