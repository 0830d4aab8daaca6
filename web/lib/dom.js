// Small DOM helpers: element builders, formatting of times, durations and statuses, dialogs, toasts.

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(parent, child) {
  if (child === null || child === undefined || child === false || child === true) return;
  if (Array.isArray(child)) {
    for (const c of child) append(parent, c);
  } else if (child instanceof Node) {
    parent.appendChild(child);
  } else {
    parent.appendChild(document.createTextNode(String(child)));
  }
}

function setProps(el, props, isSvg) {
  if (!props) return;
  for (const key of Object.keys(props)) {
    const value = props[key];
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === 'class') {
      el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key === 'style' && typeof value === 'object') {
      Object.assign(el.style, value); // CSSOM: allowed by the content security policy
    } else if (!isSvg && (key === 'value' || key === 'checked' || key === 'selected' || key === 'disabled' ||
                          key === 'indeterminate')) {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

// h('a', {href: '/runs', class: 'x', onClick: fn}, 'text', child, [more])
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  setProps(el, props, false);
  append(el, children);
  return el;
}

export function svg(tag, props, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setProps(el, props, true);
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function replace(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

export function debounce(fn, ms) {
  let timer = 0;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

// ---- times ------------------------------------------------------------------------------------

const localFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
});
const localTimeOnly = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3,
});

export function utcText(date) {
  return date.toISOString().replace('T', ' ').replace(/\.(\d{3})Z$/, '.$1 UTC');
}

// <time> in the browser's time zone, with UTC on hover.
export function time(iso, { timeOnly = false } = {}) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return h('span', {}, iso);
  return h('time', { datetime: iso, title: utcText(d) }, (timeOnly ? localTimeOnly : localFormat).format(d));
}

export function duration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${Math.round(s % 60)}s`;
  const hours = Math.floor(m / 60);
  return `${hours}h ${m % 60}m`;
}

export function runDuration(run, now = Date.now()) {
  const start = run.startedAt || null;
  if (!start) return null;
  const end = run.endedAt ? Date.parse(run.endedAt) : now;
  return end - Date.parse(start);
}

export function relative(iso) {
  if (!iso) return '—';
  const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

// ---- run statuses (Dagster's names and colours) -----------------------------------------------

export const STATUSES = ['QUEUED', 'NOT_STARTED', 'STARTING', 'STARTED', 'SUCCESS', 'FAILURE', 'CANCELING',
  'CANCELED'];
const STATUS_LABEL = {
  QUEUED: 'Queued', NOT_STARTED: 'Not started', STARTING: 'Starting', STARTED: 'Started',
  SUCCESS: 'Success', FAILURE: 'Failure', CANCELING: 'Canceling', CANCELED: 'Canceled',
};
export const LIVE_STATUSES = new Set(['QUEUED', 'NOT_STARTED', 'STARTING', 'STARTED', 'CANCELING']);

export function statusLabel(status) {
  return STATUS_LABEL[status] || status;
}

export function statusChip(status) {
  return h('span', { class: `chip status s-${status}`, 'data-status': status }, statusLabel(status));
}

// ---- feedback ----------------------------------------------------------------------------------

// A readable message for any error (API errors carry a code and, for configs, the paths).
export function errorText(err) {
  if (!err) return 'Unknown error';
  if (err.name === 'ApiError') return err.describe();
  return err.message || String(err);
}

export function errorBox(err, title = 'Something went wrong') {
  const lines = [];
  const violations = err && err.details && Array.isArray(err.details.violations) ? err.details.violations : [];
  for (const v of violations)
    lines.push(h('li', {}, v.path ? h('code', {}, v.path) : null, v.path ? ': ' : '', v.message));
  return h('div', { class: 'error-box', role: 'alert' },
    h('strong', {}, title),
    h('p', {}, errorText(err)),
    lines.length ? h('ul', {}, lines) : null);
}

let toastRegion = null;
export function toast(message, kind = 'info') {
  if (!toastRegion) {
    toastRegion = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.appendChild(toastRegion);
  }
  const el = h('div', { class: `toast toast-${kind}` }, message);
  toastRegion.appendChild(el);
  setTimeout(() => el.remove(), kind === 'error' ? 9000 : 4000);
}

// A modal confirmation (<dialog>): resolves true when confirmed.
export function confirmDialog(message, { confirm = 'Confirm', danger = false, body = null } = {}) {
  return new Promise((resolve) => {
    const ok = h('button', { type: 'submit', value: 'ok', class: danger ? 'btn danger' : 'btn primary' }, confirm);
    const dialog = h('dialog', { class: 'dialog', 'aria-label': message },
      h('form', { method: 'dialog' },
        h('p', { class: 'dialog-message' }, message),
        body,
        h('div', { class: 'dialog-actions' },
          h('button', { type: 'submit', value: 'cancel', class: 'btn' }, 'Cancel'), ok)));
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'ok');
      dialog.remove();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    ok.focus();
  });
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard API refused (no permission, insecure context): select in a temporary field.
    const area = h('textarea', { class: 'offscreen', 'aria-hidden': 'true' });
    area.value = text;
    document.body.appendChild(area);
    area.select();
    const done = document.execCommand && document.execCommand('copy');
    area.remove();
    return !!done;
  }
}

export function emptyState(text) {
  return h('p', { class: 'empty' }, text);
}

export function section(title, ...children) {
  const id = `s-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), children);
}

export function keyValues(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export function tagChip(key, value, href) {
  const text = `${key}=${value}`;
  return href ? h('a', { class: 'chip tag', href, title: `Show runs tagged ${text}` }, text)
    : h('span', { class: 'chip tag' }, text);
}
