// The step timeline (Gantt) of a run, built from its step events: one row per step (dynamic
// branches such as work[item_3] are steps of their own), one bar per attempt, retries visible.

import { duration, svg } from '../lib/dom.js';

const ROW = 24;
const BAR = 14;
const AXIS = 26;

// Steps and their attempts from the event log (events in storage order).
export function stepModel(events) {
  const steps = new Map();
  let runStart = null;
  let runEnd = null;
  let runStatus = null;
  const step = (key) => {
    let s = steps.get(key);
    if (!s) {
      s = { key, attempts: [] };
      steps.set(key, s);
    }
    return s;
  };
  const current = (s) => s.attempts[s.attempts.length - 1];
  for (const e of events) {
    const t = Date.parse(e.timestamp);
    switch (e.eventType) {
    case 'RUN_START':
      runStart = runStart === null ? t : Math.min(runStart, t);
      break;
    case 'RUN_SUCCESS': case 'RUN_FAILURE': case 'RUN_CANCELED':
      runEnd = t;
      runStatus = e.eventType.slice(4);
      break;
    case 'STEP_START': case 'STEP_RESTARTED': {
      if (!e.stepKey) break;
      step(e.stepKey).attempts.push({ start: t, end: null, state: 'running' });
      break;
    }
    case 'STEP_UP_FOR_RETRY': case 'STEP_SUCCESS': case 'STEP_FAILURE': {
      if (!e.stepKey) break;
      const s = step(e.stepKey);
      let a = current(s);
      if (!a || a.end !== null) {
        a = { start: t, end: null, state: 'running' };
        s.attempts.push(a);
      }
      a.end = t;
      a.state = e.eventType === 'STEP_SUCCESS' ? 'success' : e.eventType === 'STEP_FAILURE' ? 'failure' : 'retry';
      break;
    }
    case 'STEP_SKIPPED':
      if (e.stepKey) step(e.stepKey).attempts.push({ start: t, end: t, state: 'skipped' });
      break;
    default:
      break;
    }
  }
  // Attempts still open when the run ended did not finish.
  if (runEnd !== null) {
    for (const s of steps.values()) {
      for (const a of s.attempts) {
        if (a.end === null) {
          a.end = runEnd;
          a.state = runStatus === 'CANCELED' ? 'canceled' : 'failure';
        }
      }
    }
  }
  const list = [...steps.values()].filter((s) => s.attempts.length)
    .sort((a, b) => a.attempts[0].start - b.attempts[0].start || a.key.localeCompare(b.key));
  return { steps: list, runStart, runEnd };
}

const NICE = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000,
  300000, 600000, 900000, 1800000, 3600000, 7200000, 14400000, 43200000, 86400000];

function tickLabel(ms) {
  if (ms === 0) return '0';
  if (ms < 1000) return `+${ms} ms`;
  if (ms < 60000) return `+${ms / 1000} s`;
  if (ms < 3600000) return `+${ms / 60000} min`;
  return `+${ms / 3600000} h`;
}

const STATE_TEXT = {
  success: 'succeeded', failure: 'failed', running: 'running', retry: 'failed, retried', skipped: 'skipped',
  canceled: 'canceled',
};

// The SVG. `width`: pixels available; `now`: the end of still-running bars; onSelect(stepKey).
export function ganttSvg(model, { width = 900, now = Date.now(), onSelect } = {}) {
  const steps = model.steps;
  const longest = steps.reduce((m, s) => Math.max(m, s.key.length), 8);
  const labelWidth = Math.min(Math.max(280, width * 0.36), Math.max(110, longest * 7.4 + 18));
  const chart = Math.max(240, width - labelWidth - 16);
  const t0 = model.runStart ?? (steps.length ? steps[0].attempts[0].start : now);
  let t1 = model.runEnd ?? now;
  for (const s of steps) for (const a of s.attempts) t1 = Math.max(t1, a.end ?? now);
  const span = Math.max(t1 - t0, 1);
  const x = (t) => labelWidth + ((t - t0) / span) * chart;
  const height = AXIS + steps.length * ROW + 6;

  const root = svg('svg', {
    class: 'gantt', width: labelWidth + chart + 16, height, role: 'img',
    'aria-label': `Step timeline: ${steps.length} steps over ${duration(span)}`,
  });
  // axis and grid
  const step = NICE.find((n) => span / n <= 8) || NICE[NICE.length - 1];
  const axis = svg('g', { class: 'axis' });
  for (let t = 0; t <= span; t += step) {
    const px = x(t0 + t);
    axis.appendChild(svg('line', { class: 'grid', x1: px, x2: px, y1: AXIS - 6, y2: height }));
    axis.appendChild(svg('text', { x: px + 3, y: 14 }, tickLabel(t)));
  }
  root.appendChild(axis);

  steps.forEach((s, i) => {
    const y = AXIS + i * ROW;
    const g = svg('g', { class: 'step-row', 'data-step': s.key });
    g.appendChild(svg('rect', { class: 'row-bg', x: 0, y, width: labelWidth + chart + 16, height: ROW, fill: 'transparent' }));
    const retries = s.attempts.length - 1;
    const label = s.key.length * 7.4 > labelWidth - 14 ? `${s.key.slice(0, Math.floor((labelWidth - 24) / 7.4))}…` : s.key;
    g.appendChild(svg('text', { x: 6, y: y + ROW / 2 + 4 }, svg('title', {}, s.key), label));
    s.attempts.forEach((a, n) => {
      const end = a.end ?? now;
      const bx = x(a.start);
      const bw = Math.max(3, x(end) - bx);
      const bar = svg('rect', {
        class: `bar ${a.state}`, x: bx, y: y + (ROW - BAR) / 2, width: bw, height: BAR, tabindex: onSelect ? 0 : null,
        'data-step': s.key, 'data-state': a.state, 'data-attempt': n + 1,
      }, svg('title', {}, `${s.key}${retries ? ` (attempt ${n + 1} of ${s.attempts.length})` : ''}: ${STATE_TEXT[a.state]}, ${duration(end - a.start)}`));
      if (onSelect) {
        bar.addEventListener('click', () => onSelect(s.key));
        bar.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onSelect(s.key); } });
      }
      g.appendChild(bar);
    });
    if (retries) {
      const last = s.attempts[s.attempts.length - 1];
      g.appendChild(svg('text', { x: Math.min(x(last.end ?? now) + 6, labelWidth + chart - 30), y: y + ROW / 2 + 4, class: 'retries' },
        `${retries} ${retries === 1 ? 'retry' : 'retries'}`));
    }
    root.appendChild(g);
  });
  if (model.runEnd === null && steps.length) {
    const px = x(now);
    root.appendChild(svg('line', { class: 'now', x1: px, x2: px, y1: AXIS - 6, y2: height }));
  }
  return root;
}
