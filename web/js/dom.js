// Small helpers to build the page from data without innerHTML (titles and names are data).

let idCounter = 0;
export function uniqueId(prefix) {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

// h('p', {class: 'x', onclick: fn}, 'text', child) -> element
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

// The screen heading: focus lands here after each route change.
export function heading(text) {
  return h('h1', { tabindex: '-1', id: 'screen-heading' }, text);
}

// A status or alert box; empty boxes take no space (see .notice:empty in CSS).
export function notice(kind, ...children) {
  // Errors interrupt; outcomes are announced politely; a warning is plain text.
  const role = kind === 'error' ? 'alert' : kind === 'warning' ? null : 'status';
  return h('div', { class: `notice notice--${kind}`, role }, ...children);
}

export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

// A labelled input with a hint and an error message, both tied to it by aria-describedby.
export function field({ name, label, type = 'text', hint, value, autocomplete, inputmode, required, multiline, rows }) {
  const id = uniqueId(`f-${name}`);
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const control = multiline
    ? h('textarea', { id, name, rows: rows ?? 4, autocomplete: autocomplete ?? 'off', 'aria-describedby': [hintId, errorId].filter(Boolean).join(' ') })
    : h('input', {
        id,
        name,
        type,
        autocomplete,
        inputmode,
        'aria-required': required ? 'true' : null,
        'aria-describedby': [hintId, errorId].filter(Boolean).join(' '),
      });
  if (value !== undefined && value !== null) control.value = value;
  const errorEl = h('p', { class: 'field-error', id: errorId, role: 'alert' });
  const wrapper = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    hint ? h('p', { class: 'field-hint', id: hintId }, hint) : null,
    control,
    errorEl,
  );
  return {
    wrapper,
    input: control,
    setError(message) {
      errorEl.textContent = message ?? '';
      if (message) control.setAttribute('aria-invalid', 'true');
      else control.removeAttribute('aria-invalid');
    },
  };
}

// One card of a list: its heading (the item's name) labels it, its facts sit below and its
// actions beside. `props` adds to the list item: data- attributes, a modifier class.
export function card({ titleId, name, headingTag = 'h2', props = {}, facts = [], actions = null }) {
  const { class: modifier, ...rest } = props;
  return h(
    'li',
    { class: modifier ? `card ${modifier}` : 'card', 'aria-labelledby': titleId, ...rest },
    h('div', { class: 'card__body' }, h(headingTag, { class: 'card__title', id: titleId }, name), facts),
    actions ? h('div', { class: 'card__action' }, actions) : null,
  );
}

// A card's button-styled link; `label` says which item it acts on, for screen readers.
export function cardLink(href, text, label, { primary = false } = {}) {
  return h('a', { class: primary ? 'button' : 'button button--secondary', href, 'aria-label': label }, text);
}

// A link styled as a button, to a hash route.
export function linkButton(href, text, props = {}) {
  return h('a', { class: 'button button--secondary', href, ...props }, text);
}

// A definition list from [term, description] pairs (descriptions may be nodes).
export function details(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs.filter(Boolean).map(([term, desc]) => h('div', { class: 'facts__row' }, h('dt', {}, term), h('dd', {}, desc))),
  );
}

// Guards a form against double submission while a request is running.
export function busyGuard(form) {
  let busy = false;
  return async (work) => {
    if (busy) return;
    busy = true;
    form.setAttribute('aria-busy', 'true');
    try {
      await work();
    } finally {
      busy = false;
      form.removeAttribute('aria-busy');
    }
  };
}

// The usual form: on submit, clear its alert box and run `work(event)`, one at a time.
export function onSubmit(form, alertBox, work) {
  const guard = busyGuard(form);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    guard(async () => {
      if (alertBox) replaceChildren(alertBox);
      await work(event);
    });
  });
}
