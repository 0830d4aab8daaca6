// A collapsible, pretty JSON view (<details> per object and array: keyboard accessible for free).

import { h } from '../lib/dom.js';

const MAX_CHILDREN = 500;

function leafValue(v) {
  if (v === null) return h('span', { class: 'lit' }, 'null');
  if (typeof v === 'string') return h('span', { class: 'str' }, JSON.stringify(v));
  if (typeof v === 'number') return h('span', { class: 'num' }, String(v));
  if (typeof v === 'boolean') return h('span', { class: 'lit' }, String(v));
  return h('span', {}, String(v));
}

function node(key, value, depth, openDepth) {
  const keyEl = key === null ? null : [h('span', { class: 'k' }, typeof key === 'number' ? `${key}` : JSON.stringify(key)), ': '];
  if (value === null || typeof value !== 'object') return h('div', { class: 'leaf' }, keyEl, leafValue(value));
  const isArray = Array.isArray(value);
  const entries = isArray ? value.map((v, i) => [i, v]) : Object.entries(value);
  if (!entries.length) return h('div', { class: 'leaf' }, keyEl, h('span', { class: 'meta' }, isArray ? '[]' : '{}'));
  const details = h('details', { open: depth < openDepth });
  details.appendChild(h('summary', {}, keyEl,
    h('span', { class: 'meta' }, isArray ? `[${entries.length} item${entries.length === 1 ? '' : 's'}]` : `{${entries.length} key${entries.length === 1 ? '' : 's'}}`)));
  // Children are built when first opened: a large result stays cheap to show.
  let built = false;
  const build = () => {
    if (built) return;
    built = true;
    const shown = entries.slice(0, MAX_CHILDREN);
    for (const [k, v] of shown) details.appendChild(node(k, v, depth + 1, openDepth));
    if (entries.length > shown.length)
      details.appendChild(h('div', { class: 'leaf meta' }, `… ${entries.length - shown.length} more (copy the JSON to see all)`));
  };
  if (details.open) build();
  else details.addEventListener('toggle', build, { once: true });
  return details;
}

export function jsonTree(value, { openDepth = 2, label = 'JSON' } = {}) {
  return h('div', { class: 'json-tree', role: 'group', 'aria-label': label }, node(null, value, 0, openDepth));
}

// Opens or closes every level (building the closed ones as they open).
export function setExpanded(tree, open) {
  for (let i = 0; i < 20; i++) {
    const targets = [...tree.querySelectorAll('details')].filter((d) => d.open !== open);
    if (!targets.length) break;
    for (const d of targets) {
      d.open = open;
      d.dispatchEvent(new Event('toggle'));
    }
    if (!open) break;
  }
}
