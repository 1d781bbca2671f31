// What the page knows between screens: the library's configuration, the session state,
// the patron's profile and a one-shot message for the next screen.

import { t, hasText } from './i18n.js';
import { h, notice } from './dom.js';

// Password rule shown to the patron (R-ACCT-4); the server's answer is final.
export const passwordPolicy = { minLength: 6, maxLength: 64 };

// Notification list limits (at most 20 entries of at most 100 characters each).
export const notificationListLimits = { maxEntries: 20, maxLength: 100 };

// The hold cart holds at most this many titles (R-HOLD-10; the server answers 409 cart_full).
export const holdCartLimit = 20;

export const state = {
  config: { library_name: '', library_phone: '', library_url: '' },
  // 'unknown' | 'signed-out' | 'signed-in' | 'must-change'
  session: 'unknown',
  me: null,
  flash: null,
};

export function setFlash(kind, text) {
  state.flash = { kind, text };
}

// The message the previous screen left for this one, as a notice shown once; null if none.
export function flashNotice() {
  const flash = state.flash;
  state.flash = null;
  return flash ? notice(flash.kind, flash.text) : null;
}

// Japanese (or English) text for an API error, chosen by its code.
export function errorText(error, variant) {
  const code = error?.code ?? 'unknown';
  const params = {
    phone: state.config.library_phone,
    limit: state.me?.holds?.limit ?? '',
    cartLimit: holdCartLimit,
    min: passwordPolicy.minLength,
    code,
  };
  if (variant && hasText(`err.${code}.${variant}`)) return t(`err.${code}.${variant}`, params);
  if (hasText(`err.${code}`)) return t(`err.${code}`, params);
  return t('err.unknown', params);
}

// The text with the library's phone number made a tel: link (one tap on a phone).
export function withPhoneLink(text) {
  const phone = state.config.library_phone;
  if (!phone || !text.includes(phone)) return text;
  const [before, ...rest] = text.split(phone);
  return [before, h('a', { href: `tel:${phone.replace(/[^0-9+]/g, '')}` }, phone), rest.join(phone)];
}

// An API error as page content: its words, with the phone number as a link.
export function errorContent(error, variant) {
  return withPhoneLink(errorText(error, variant));
}
