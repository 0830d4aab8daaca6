// Runs: newest first, filters in the URL, cursor paging, live status changes and new runs, bulk
// terminate/delete, queue depth and in-progress counts.

import { del, enc, get, post, query, session } from '../lib/api.js';
import {
  LIVE_STATUSES, STATUSES, confirmDialog, debounce, duration, errorBox, errorText, h, replace, runDuration,
  statusChip, statusLabel, tagChip, time, toast,
} from '../lib/dom.js';
import { subscribeRuns } from '../lib/live.js';

const PAGE_SIZE = 50;
const PREV_KEY = 'lifdag.runs.prev'; // cursor -> the cursor of the page before it (for "Newer")

export function isSystemTag(key) {
  return key.startsWith('dagster/') || key.startsWith('lifdag/') || key.startsWith('.dagster');
}

function filtersFromQuery(q) {
  return {
    statuses: q.getAll('status').flatMap((s) => s.split(',')).map((s) => s.trim().toUpperCase()).filter(Boolean),
    job: q.get('job') || '',
    tags: q.getAll('tag').filter((t) => t.includes('=')),
    after: q.get('after') || '',
    before: q.get('before') || '',
    cursor: q.get('cursor') || '',
  };
}

function urlFor(f, cursor = '') {
  return `/runs${query({ status: f.statuses, job: f.job, tag: f.tags, after: f.after, before: f.before, cursor })}`;
}

function matches(run, f) {
  if (f.statuses.length && !f.statuses.includes(run.status)) return false;
  if (f.job && run.jobName !== f.job) return false;
  for (const t of f.tags) {
    const i = t.indexOf('=');
    if ((run.tags || {})[t.slice(0, i)] !== t.slice(i + 1)) return false;
  }
  if (f.after && Date.parse(run.createdAt) < Date.parse(f.after)) return false;
  if (f.before && Date.parse(run.createdAt) >= Date.parse(f.before)) return false;
  return true;
}

// datetime-local value <-> ISO (UTC)
function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const off = d.getTimezoneOffset() * 60000;
  return new Date(d.getTime() - off).toISOString().slice(0, 16);
}
function fromLocalInput(value) {
  return value ? new Date(value).toISOString() : '';
}

function tagList(run, f) {
  const tags = Object.entries(run.tags || {});
  const shown = tags.filter(([k]) => !isSystemTag(k));
  const hidden = tags.length - shown.length;
  return h('div', { class: 'tags' },
    shown.map(([k, v]) => tagChip(k, v, urlFor({ ...f, tags: [...new Set([...f.tags, `${k}=${v}`])] }))),
    hidden ? h('span', { class: 'muted', title: tags.filter(([k]) => isSystemTag(k)).map(([k, v]) => `${k}=${v}`).join('\n') },
      `+${hidden} system`) : null);
}

export async function render(ctx) {
  const { container, signal } = ctx;
  const f = filtersFromQuery(ctx.query);
  ctx.setTitle('Runs');

  const runsPromise = get(`/api/v1/runs${query({
    status: f.statuses.length ? f.statuses.join(',') : '', job: f.job, tag: f.tags,
    created_after: f.after, created_before: f.before, limit: PAGE_SIZE, cursor: f.cursor,
  })}`, { signal });
  const countsPromise = get('/api/v1/runs/counts', { signal }).catch((err) => err);

  // ---- skeleton: header, summary, filters --------------------------------------------------------
  const summary = h('div', { class: 'summary-bar', 'aria-live': 'polite', id: 'run-summary' }, h('span', { class: 'muted' }, 'Counting runs…'));
  const statusBoxes = STATUSES.map((s) => h('label', { class: `s-${s}` },
    h('input', { type: 'checkbox', name: 'status', value: s, checked: f.statuses.includes(s) }),
    h('span', {}, statusLabel(s))));
  const jobInput = h('input', { id: 'filter-job', name: 'job', value: f.job, list: 'job-names', placeholder: 'any job', size: 22 });
  const tagInput = h('input', { id: 'filter-tag', name: 'tag', value: f.tags.join(' '), placeholder: 'key=value …', size: 24 });
  const afterInput = h('input', { id: 'filter-after', type: 'datetime-local', value: toLocalInput(f.after) });
  const beforeInput = h('input', { id: 'filter-before', type: 'datetime-local', value: toLocalInput(f.before) });
  const jobList = h('datalist', { id: 'job-names' });
  const tagError = h('span', { class: 'field-error', id: 'filter-tag-error', role: 'alert' });

  const apply = () => {
    const tags = tagInput.value.split(/\s+/).filter(Boolean);
    const bad = tags.find((t) => t.indexOf('=') <= 0);
    if (bad) {
      tagInput.setAttribute('aria-invalid', 'true');
      tagError.textContent = `"${bad}" is not key=value`;
      return;
    }
    ctx.navigate(urlFor({
      statuses: statusBoxes.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value),
      job: jobInput.value.trim(), tags, after: fromLocalInput(afterInput.value), before: fromLocalInput(beforeInput.value),
    }));
  };
  const filters = h('form', {
    class: 'filters', role: 'search', 'aria-label': 'Filter runs',
    onSubmit: (e) => { e.preventDefault(); apply(); },
  },
  h('fieldset', { class: 'status-filter', onChange: apply }, h('legend', { class: 'offscreen' }, 'Statuses'), statusBoxes),
  h('div', { class: 'field' }, h('label', { for: 'filter-job' }, 'Job'), jobInput, jobList),
  h('div', { class: 'field' }, h('label', { for: 'filter-tag' }, 'Tags'), tagInput, tagError),
  h('div', { class: 'field' }, h('label', { for: 'filter-after' }, 'Created after'), afterInput),
  h('div', { class: 'field' }, h('label', { for: 'filter-before' }, 'Created before'), beforeInput),
  h('button', { class: 'btn', type: 'submit' }, 'Apply'),
  (f.statuses.length || f.job || f.tags.length || f.after || f.before) ? h('a', { class: 'btn', href: '/runs' }, 'Clear filters') : null);

  const tableHost = h('div', {}, h('p', { class: 'loading' }, 'Loading runs…'));
  replace(container,
    h('div', { class: 'page-header' },
      h('div', {}, h('h1', {}, 'Runs'), h('p', { class: 'subtitle' }, 'Newest first; live.')),
      h('div', { class: 'actions' }, h('a', { class: 'btn', href: '/jobs' }, 'Launch a run…'))),
    summary, filters, tableHost);

  // ---- counts (queue depth, in progress) -------------------------------------------------------
  const showCounts = (c) => {
    if (c instanceof Error) {
      replace(summary, h('span', { class: 'field-error' }, `Counts unavailable: ${errorText(c)}`));
      return;
    }
    const item = (n, label, status, title) => h('a', { href: status ? urlFor({ statuses: status, job: '', tags: [], after: '', before: '' }) : '/runs', title },
      h('span', { class: 'count', 'data-count': label }, String(n)), label);
    replace(summary,
      item(c.queued, 'queued', ['QUEUED'], 'Runs waiting for the run coordinator (queue depth)'),
      item(c.inProgress, 'in progress', ['NOT_STARTED', 'STARTING', 'STARTED', 'CANCELING'], 'Runs being launched, running or canceling'),
      item(c.counts.SUCCESS, 'succeeded', ['SUCCESS']),
      item(c.counts.FAILURE, 'failed', ['FAILURE']),
      item(c.total, 'runs in all', null));
  };
  countsPromise.then((c) => { if (!signal.aborted) showCounts(c); });
  const refreshCounts = debounce(() => get('/api/v1/runs/counts', { signal }).then(showCounts, () => {}), 400);
  ctx.onCleanup(refreshCounts.cancel);

  // ---- the table -----------------------------------------------------------------------------
  let page;
  try {
    [page] = await Promise.all([runsPromise, session.ready]);
  } catch (err) {
    if (err.name === 'AbortError') return;
    replace(tableHost, errorBox(err, 'The runs could not be loaded'));
    return;
  }
  if (signal.aborted) return;

  const canTerminate = session.can('launcher');
  const canDelete = session.can('admin');
  const bulk = canTerminate || canDelete;
  const selected = new Set();
  const rows = new Map(); // runId -> {tr, run}
  const tbody = h('tbody', {});
  const selectAll = bulk ? h('input', { type: 'checkbox', 'aria-label': 'Select all runs on this page' }) : null;
  const terminateBtn = h('button', { class: 'btn', type: 'button', disabled: true }, 'Terminate');
  const deleteBtn = h('button', { class: 'btn danger', type: 'button', disabled: true }, 'Delete');
  const selectionText = h('span', { class: 'muted' });

  const updateBulk = () => {
    const chosen = [...selected].map((id) => rows.get(id)).filter(Boolean).map((r) => r.run);
    terminateBtn.disabled = !chosen.some((r) => LIVE_STATUSES.has(r.status));
    deleteBtn.disabled = !chosen.some((r) => !LIVE_STATUSES.has(r.status));
    selectionText.textContent = chosen.length ? `${chosen.length} selected` : '';
    if (selectAll) {
      selectAll.checked = chosen.length > 0 && chosen.length === rows.size;
      selectAll.indeterminate = chosen.length > 0 && chosen.length < rows.size;
    }
  };

  const makeRow = (run) => {
    const durationCell = h('td', { class: 'num dur' }, duration(runDuration(run)));
    const cells = [];
    if (bulk) {
      const box = h('input', { type: 'checkbox', 'aria-label': `Select run ${run.runId}`, checked: selected.has(run.runId) });
      box.addEventListener('change', () => {
        if (box.checked) selected.add(run.runId);
        else selected.delete(run.runId);
        updateBulk();
      });
      cells.push(h('td', {}, box));
    }
    cells.push(
      h('td', {}, h('a', { class: 'run-id', href: `/runs/${enc(run.runId)}`, title: run.runId }, run.runId.slice(0, 8))),
      h('td', {}, h('a', { href: `/locations/${enc(run.locationName)}/jobs/${enc(run.jobName)}` }, run.jobName)),
      h('td', { class: 'status-cell' }, statusChip(run.status)),
      h('td', {}, tagList(run, f)),
      h('td', {}, time(run.createdAt)),
      durationCell);
    const tr = h('tr', { 'data-run-id': run.runId, 'data-status': run.status }, cells);
    rows.set(run.runId, { tr, run, durationCell });
    return tr;
  };

  for (const run of page.runs) tbody.appendChild(makeRow(run));
  const head = [bulk ? h('th', { scope: 'col' }, selectAll) : null, h('th', { scope: 'col' }, 'Run'),
    h('th', { scope: 'col' }, 'Job'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Tags'),
    h('th', { scope: 'col' }, 'Created'), h('th', { scope: 'col', class: 'num' }, 'Duration')];
  const table = h('table', { class: 'table runs', 'aria-label': 'Runs' }, h('thead', {}, h('tr', {}, head)), tbody);
  const empty = h('p', { class: 'empty', hidden: page.runs.length > 0 },
    f.statuses.length || f.job || f.tags.length || f.after || f.before ? 'No runs match these filters.' : 'No runs yet. Launch one from a job\'s launchpad.');

  // ---- paging ---------------------------------------------------------------------------------
  const prevMap = JSON.parse(sessionStorage.getItem(PREV_KEY) || '{}');
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' },
    f.cursor ? h('a', { class: 'btn', href: urlFor(f, '') }, '⇤ Newest') : null,
    f.cursor ? h('a', { class: 'btn', href: urlFor(f, prevMap[f.cursor] || ''), rel: 'prev' }, '← Newer') : null,
    page.hasMore ? h('a', {
      class: 'btn', href: urlFor(f, page.cursor), rel: 'next',
      onClick: () => {
        prevMap[page.cursor] = f.cursor;
        sessionStorage.setItem(PREV_KEY, JSON.stringify(prevMap));
      },
    }, 'Older →') : null);

  // ---- bulk actions ---------------------------------------------------------------------------
  const runBulk = async (kind) => {
    const chosen = [...selected].map((id) => rows.get(id)).filter(Boolean).map((r) => r.run)
      .filter((r) => (kind === 'terminate' ? LIVE_STATUSES.has(r.status) : !LIVE_STATUSES.has(r.status)));
    if (!chosen.length) return;
    const ok = await confirmDialog(kind === 'terminate'
      ? `Terminate ${chosen.length} run${chosen.length > 1 ? 's' : ''}?`
      : `Delete ${chosen.length} ended run${chosen.length > 1 ? 's' : ''} and their events? This cannot be undone.`,
    { confirm: kind === 'terminate' ? 'Terminate' : 'Delete', danger: true });
    if (!ok) return;
    const failures = [];
    await Promise.all(chosen.map(async (r) => {
      try {
        if (kind === 'terminate') await post(`/api/v1/runs/${enc(r.runId)}/terminate`);
        else await del(`/api/v1/runs/${enc(r.runId)}`);
      } catch (err) {
        failures.push(`${r.runId.slice(0, 8)}: ${errorText(err)}`);
      }
    }));
    for (const r of chosen) {
      selected.delete(r.runId);
      const row = rows.get(r.runId);
      const box = row && row.tr.querySelector('input[type=checkbox]');
      if (box) box.checked = false;
    }
    if (kind === 'delete') {
      for (const r of chosen) {
        if (!failures.some((x) => x.startsWith(r.runId.slice(0, 8)))) removeRow(r.runId);
      }
    }
    updateBulk();
    refreshCounts();
    if (failures.length) toast(`${failures.length} of ${chosen.length} failed: ${failures.join('; ')}`, 'error');
    else toast(kind === 'terminate' ? `Termination requested for ${chosen.length} run(s).` : `Deleted ${chosen.length} run(s).`);
  };
  terminateBtn.addEventListener('click', () => runBulk('terminate'));
  deleteBtn.addEventListener('click', () => runBulk('delete'));
  if (selectAll) {
    selectAll.addEventListener('change', () => {
      for (const id of rows.keys()) {
        if (selectAll.checked) selected.add(id);
        else selected.delete(id);
      }
      for (const { tr } of rows.values()) {
        const box = tr.querySelector('input[type=checkbox]');
        if (box) box.checked = selectAll.checked;
      }
      updateBulk();
    });
  }
  const bulkBar = bulk ? h('div', { class: 'bulk-bar', role: 'toolbar', 'aria-label': 'Selected runs' },
    canTerminate ? terminateBtn : null, canDelete ? deleteBtn : null, selectionText) : null;

  replace(tableHost, bulkBar, h('div', { class: 'table-wrap' }, table), empty, pager);
  performance.mark('lifdag:runs-rendered');

  // ---- live updates ---------------------------------------------------------------------------
  function removeRow(runId) {
    const row = rows.get(runId);
    if (!row) return;
    row.tr.remove();
    rows.delete(runId);
    selected.delete(runId);
    empty.hidden = rows.size > 0;
  }
  const onRun = (run) => {
    const row = rows.get(run.runId);
    if (row) {
      const changed = row.run.status !== run.status;
      row.run = run;
      row.tr.dataset.status = run.status;
      if (changed) {
        replace(row.tr.querySelector('.status-cell'), statusChip(run.status));
        row.tr.classList.remove('flash');
        void row.tr.offsetWidth; // restart the highlight
        row.tr.classList.add('flash');
        if (f.statuses.length && !f.statuses.includes(run.status)) {
          // It no longer matches: leave it visible (marked) until the next load, like Dagster does.
          row.tr.title = `Now ${statusLabel(run.status)}: no longer matches the status filter`;
        }
      }
      row.durationCell.textContent = duration(runDuration(run));
      updateBulk();
    } else if (!f.cursor && matches(run, f)) {
      const tr = makeRow(run);
      tr.classList.add('flash');
      tbody.insertBefore(tr, tbody.firstChild);
      empty.hidden = true;
      while (rows.size > PAGE_SIZE) {
        const last = tbody.lastElementChild;
        removeRow(last.dataset.runId);
      }
    }
    refreshCounts();
  };
  ctx.onCleanup(subscribeRuns(null, onRun, (runId) => { removeRow(runId); refreshCounts(); }));

  // Durations of live runs tick.
  const ticker = setInterval(() => {
    for (const row of rows.values()) {
      if (LIVE_STATUSES.has(row.run.status) && row.run.startedAt) row.durationCell.textContent = duration(runDuration(row.run));
    }
  }, 1000);
  ctx.onCleanup(() => clearInterval(ticker));

  // Job names for the filter's suggestions, after the table is on screen.
  get('/api/v1/jobs', { signal }).then((jobs) => {
    replace(jobList, [...new Set(jobs.jobs.map((j) => j.name))].map((n) => h('option', { value: n })));
  }, () => {});
}
