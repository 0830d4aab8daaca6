// A line diff (longest common subsequence) for reviewing a change before it is saved.

import { h } from './dom.js';

export function diffLines(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  const n = a.length;
  const m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push([' ', a[i]]);
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out.push(['+', b[j++]]);
    } else {
      out.push(['-', a[i++]]);
    }
  }
  return out;
}

export function diffView(before, after, label = 'Changes') {
  const lines = diffLines(before, after);
  const changed = lines.some(([op]) => op !== ' ');
  return h('div', { class: 'diff', role: 'group', 'aria-label': label },
    changed ? lines.map(([op, text]) => h('div', { class: op === '+' ? 'add' : op === '-' ? 'del' : null }, `${op} ${text}`))
      : h('div', { class: 'muted' }, 'No changes.'));
}
