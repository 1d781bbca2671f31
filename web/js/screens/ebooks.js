// 電子書籍・オーディオブック: a launch link for eligible patrons, the reason for others (R-EBOOK-1).

import { api } from '../api.js';
import { t, formatInstant } from '../i18n.js';
import { h, heading, notice } from '../dom.js';

export async function render() {
  const title = t('ebooks.title');
  let access = null;
  try {
    access = await api.ebooks();
  } catch (error) {
    if (error.code !== 'not_eligible') throw error;
  }
  // Only a web address is offered as a link.
  if (access && !/^https?:\/\//i.test(access.launch_url ?? '')) throw new Error('unexpected launch_url');

  const body = access
    ? [
        h('p', {}, h('a', { class: 'button', href: access.launch_url, target: '_blank', rel: 'noopener noreferrer' }, t('ebooks.launch'))),
        access.expires_at ? h('p', { class: 'note' }, t('ebooks.expires', { when: formatInstant(access.expires_at) })) : null,
      ]
    : notice('warning', t('ebooks.notEligible'));

  const node = h('div', { class: 'screen screen--narrow' }, heading(title), h('p', {}, t('ebooks.intro')), body);
  return { title, node };
}
