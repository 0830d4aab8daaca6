// Schedules: every schedule with its state and next ticks (start/stop for launchers), and one
// schedule's tick history with its runs and errors.

import { enc, get, post, query, session } from '../lib/api.js';
import { errorBox, errorText, h, keyValues, replace, section, tagChip, time, toast } from '../lib/dom.js';

function stateChip(s) {
  return s.status === 'RUNNING' ? h('span', { class: 'chip ok', 'data-state': 'RUNNING' }, 'Running')
    : h('span', { class: 'chip neutral', 'data-state': 'STOPPED' }, 'Stopped');
}

function tickChip(t) {
  const cls = { SUCCESS: 'ok', FAILURE: 'bad', SKIPPED: 'neutral', STARTED: 'neutral' }[t.status] || 'neutral';
  return h('span', { class: `chip ${cls}` }, t.status);
}

function toggleButton(s, onChanged) {
  if (!session.can('launcher')) return null;
  const running = s.status === 'RUNNING';
  const b = h('button', { class: running ? 'btn small' : 'btn small primary', type: 'button', 'data-action': running ? 'stop' : 'start' },
    running ? 'Stop' : 'Start');
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      const next = await post(`/api/v1/locations/${enc(s.locationName)}/schedules/${enc(s.name)}/${running ? 'stop' : 'start'}`);
      toast(`${s.name} ${next.status === 'RUNNING' ? 'started' : 'stopped'}.`);
      onChanged(next);
    } catch (err) {
      toast(errorText(err), 'error');
      b.disabled = false;
    }
  });
  return b;
}

export async function render(ctx) {
  const { container, signal } = ctx;
  ctx.setTitle('Schedules');
  const host = h('div', {}, h('p', { class: 'loading' }, 'Loading schedules…'));
  replace(container, h('div', { class: 'page-header' }, h('div', {}, h('h1', {}, 'Schedules'),
    h('p', { class: 'subtitle' }, 'Cron schedules of the workspace. Times in your time zone; hover for UTC.'))), host);
  let list;
  try {
    [list] = await Promise.all([get('/api/v1/schedules', { signal }), session.ready]);
  } catch (err) {
    if (err.name === 'AbortError') return;
    replace(host, errorBox(err, 'The schedules could not be loaded'));
    return;
  }
  if (signal.aborted) return;
  const rows = list.schedules.map((s) => {
    const tr = h('tr', {});
    const fill = (state) => {
      replace(tr,
        h('td', {}, h('a', { href: `/locations/${enc(state.locationName)}/schedules/${enc(state.name)}` }, h('strong', {}, state.name)),
          state.description ? h('div', { class: 'muted' }, state.description) : null),
        h('td', {}, h('a', { href: `/locations/${enc(state.locationName)}/jobs/${enc(state.jobName)}` }, state.jobName)),
        h('td', {}, h('code', {}, state.cronSchedule), h('div', { class: 'muted' }, state.executionTimezone || 'UTC')),
        h('td', { class: 'sched-state' }, stateChip(state)),
        h('td', {}, state.status === 'RUNNING' ? time(state.nextFireTime) : h('span', { class: 'muted' }, 'not running'),
          (state.nextTicks || []).length ? h('details', {}, h('summary', { class: 'muted' }, 'next ticks'),
            h('ul', {}, state.nextTicks.map((t) => h('li', {}, time(t)))))
            : null),
        h('td', {}, state.lastTick ? [tickChip(state.lastTick), ' ', time(state.lastTick.timestamp)] : h('span', { class: 'muted' }, 'none'),
          state.error ? h('div', { class: 'field-error' }, state.error) : null),
        h('td', {}, toggleButton(state, fill)));
      tr.dataset.schedule = state.name;
      tr.dataset.status = state.status;
    };
    fill(s);
    return tr;
  });
  replace(host,
    list.errors.length ? errorBox({ message: list.errors.join('\n') }, 'Some code locations did not answer') : null,
    rows.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table schedules', 'aria-label': 'Schedules' },
      h('thead', {}, h('tr', {}, ['Schedule', 'Job', 'Cron', 'State', 'Next tick', 'Last tick', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows)))
      : h('p', { class: 'empty' }, 'No schedules are defined in the workspace.'));
}

export async function renderSchedule(ctx) {
  const { container, signal, params } = ctx;
  const base = `/api/v1/locations/${enc(params.location)}/schedules/${enc(params.schedule)}`;
  ctx.setTitle(params.schedule);
  replace(container, h('p', { class: 'loading' }, 'Loading the schedule…'));
  let s;
  let ticks;
  try {
    [s, ticks] = await Promise.all([get(base, { signal }), get(`${base}/ticks${query({ limit: 100 })}`, { signal }), session.ready]);
  } catch (err) {
    if (err.name === 'AbortError') return;
    replace(container, h('h1', {}, params.schedule), errorBox(err, 'The schedule could not be loaded'));
    return;
  }
  if (signal.aborted) return;
  const header = h('div', {});
  const draw = (state) => {
    replace(header,
      h('div', { class: 'page-header' },
        h('div', {}, h('h1', {}, state.name, ' ', stateChip(state)), h('p', { class: 'subtitle' }, state.description || '')),
        h('div', { class: 'actions' }, toggleButton(state, draw))),
      h('div', { class: 'grid-2' },
        section('Definition', keyValues([
          ['Job', h('a', { href: `/locations/${enc(state.locationName)}/jobs/${enc(state.jobName)}` }, state.jobName)],
          ['Code location', state.locationName],
          ['Cron', h('code', {}, state.cronSchedule)],
          ['Time zone', state.executionTimezone || 'UTC'],
          ['Default state', `${state.defaultStatus}${state.statusIsDefault ? ' (in force)' : ''}`],
          ['Tags', h('div', { class: 'tags' }, Object.entries(state.tags || {}).map(([k, v]) => tagChip(k, v)))],
          state.error ? ['Error', h('span', { class: 'field-error' }, state.error)] : null,
        ])),
        section('Next ticks', state.status === 'RUNNING' ? null : h('p', { class: 'muted' }, 'Stopped: these are the times it would run.'),
          h('ol', { class: 'next-ticks' }, (state.nextTicks || []).map((t) => h('li', {}, time(t)))))));
  };
  draw(s);
  const rows = ticks.ticks.map((t) => h('tr', { 'data-tick-status': t.status },
    h('td', {}, time(t.timestamp)), h('td', {}, tickChip(t)),
    h('td', {}, t.runIds.length ? t.runIds.map((id) => h('div', {}, h('a', { class: 'run-id', href: `/runs/${enc(id)}` }, id.slice(0, 8)))) : h('span', { class: 'muted' }, '—')),
    h('td', {}, t.error ? h('span', { class: 'field-error' }, t.error) : t.skipReason ? h('span', { class: 'muted' }, t.skipReason) : '')));
  replace(container, header,
    section('Tick history', rows.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table ticks', 'aria-label': 'Ticks' },
      h('thead', {}, h('tr', {}, ['Time', 'Status', 'Runs', 'Error or reason'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows))) : h('p', { class: 'empty' }, 'No ticks yet: the daemon evaluates a running schedule at its due times.')));
}
