// Jobs and code locations: every location with its jobs (reload for admins), and one job with its
// op graph, ops, config schema, schedules and recent runs.

import { enc, get, post, query, session } from '../lib/api.js';
import {
  duration, errorBox, errorText, h, replace, runDuration, section, statusChip, tagChip, time, toast,
} from '../lib/dom.js';
import { dagSvg } from '../components/dag.js';
import { schemaTree } from '../components/schema.js';

function locationChip(loc) {
  return loc.status === 'ok' ? h('span', { class: 'chip ok' }, 'reachable') : h('span', { class: 'chip bad', title: loc.error || '' }, 'unavailable');
}

export async function render(ctx) {
  const { container, signal } = ctx;
  ctx.setTitle('Jobs');
  replace(container, h('div', { class: 'page-header' }, h('div', {}, h('h1', {}, 'Jobs'),
    h('p', { class: 'subtitle' }, 'The workspace\'s code locations and the jobs they serve.'))), h('p', { class: 'loading' }, 'Loading jobs…'));
  let locations;
  let jobs;
  try {
    [locations, jobs] = await Promise.all([get('/api/v1/locations', { signal }), get('/api/v1/jobs', { signal }), session.ready]);
  } catch (err) {
    if (err.name === 'AbortError') return;
    container.lastChild.replaceWith(errorBox(err, 'The jobs could not be loaded'));
    return;
  }
  if (signal.aborted) return;
  const panels = locations.locations.map((loc) => {
    const mine = jobs.jobs.filter((j) => j.locationName === loc.name);
    const problem = jobs.errors.find((e) => e.location === loc.name);
    let reload = null;
    if (session.can('admin')) {
      reload = h('button', { class: 'btn small', type: 'button' }, 'Reload location');
      reload.addEventListener('click', async () => {
        reload.disabled = true;
        try {
          const r = await post(`/api/v1/locations/${enc(loc.name)}/reload`);
          toast(`${loc.name} reloaded: ${r.jobCount} job(s).`);
          render(ctx);
        } catch (err) {
          toast(errorText(err), 'error');
          reload.disabled = false;
        }
      });
    }
    return h('section', { class: 'panel', 'aria-label': `Code location ${loc.name}` },
      h('div', { class: 'page-header' },
        h('div', {}, h('h2', {}, loc.name, ' ', locationChip(loc)),
          h('p', { class: 'subtitle' }, `${loc.address}${loc.version ? ` · lifdag ${loc.version}` : ''}${loc.image ? ` · image ${loc.image}` : ''}`)),
        h('div', { class: 'actions' }, reload)),
      loc.error ? errorBox({ message: loc.error }, 'The code location does not answer') : null,
      problem ? errorBox({ message: problem.message }, 'Its jobs could not be listed') : null,
      mine.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table jobs', 'aria-label': `Jobs of ${loc.name}` },
        h('thead', {}, h('tr', {}, ['Job', 'Description', 'Tags', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, mine.map((j) => h('tr', { 'data-job': j.name },
          h('td', {}, h('a', { href: `/locations/${enc(loc.name)}/jobs/${enc(j.name)}` }, h('strong', {}, j.name))),
          h('td', {}, j.description || h('span', { class: 'muted' }, '—')),
          h('td', {}, h('div', { class: 'tags' }, Object.entries(j.tags || {}).map(([k, v]) => tagChip(k, v)))),
          h('td', {}, h('div', { class: 'row' },
            h('a', { class: 'btn small', href: `/runs${query({ job: j.name })}` }, 'Runs'),
            session.can('launcher') ? h('a', { class: 'btn small', href: `/locations/${enc(loc.name)}/jobs/${enc(j.name)}/launchpad` }, 'Launchpad') : null))))))) : null);
  });
  container.lastChild.replaceWith(h('div', {}, panels.length ? panels : h('p', { class: 'empty' }, 'The workspace names no code location.')));
}

export async function renderJob(ctx) {
  const { container, signal, params } = ctx;
  const base = `/api/v1/locations/${enc(params.location)}`;
  ctx.setTitle(params.job);
  replace(container, h('p', { class: 'loading' }, 'Loading the job…'));
  let job;
  try {
    [job] = await Promise.all([get(`${base}/jobs/${enc(params.job)}`, { signal }), session.ready]);
  } catch (err) {
    if (err.name === 'AbortError') return;
    replace(container, h('h1', {}, params.job), errorBox(err, 'The job could not be loaded'));
    return;
  }
  if (signal.aborted) return;
  const schedulesHost = h('div', {}, h('p', { class: 'loading' }, 'Loading schedules…'));
  const runsHost = h('div', {}, h('p', { class: 'loading' }, 'Loading runs…'));
  const ops = (job.graph && job.graph.ops) || [];
  replace(container,
    h('div', { class: 'page-header' },
      h('div', {}, h('h1', {}, job.name), h('p', { class: 'subtitle' }, job.description || '', ` · ${job.locationName}`),
        h('div', { class: 'tags' }, Object.entries(job.tags || {}).map(([k, v]) => tagChip(k, v)))),
      h('div', { class: 'actions' },
        h('a', { class: 'btn', href: `/runs${query({ job: job.name })}` }, 'All runs'),
        session.can('launcher') ? h('a', { class: 'btn primary', href: `/locations/${enc(job.locationName)}/jobs/${enc(job.name)}/launchpad` }, 'Open launchpad') : null)),
    section('Op graph', h('div', { class: 'dag-wrap' }, dagSvg(job.graph || { ops: [] }, { title: `Op graph of ${job.name}` }))),
    h('div', { class: 'grid-2' },
      section('Ops', h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
        h('thead', {}, h('tr', {}, ['Op', 'Inputs', 'Outputs', 'Retries'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, (job.ops || []).map((op) => h('tr', {},
          h('td', {}, h('code', {}, op.name), op.description ? h('div', { class: 'muted' }, op.description) : null),
          h('td', {}, (op.inputs || []).map((i) => h('div', {}, h('code', {}, i.name), i.fromOp ? ` ← ${i.fromOp}.${i.fromOutput}${i.collect ? ' (collect)' : ''}` : ''))),
          h('td', {}, (op.outputs || []).map((o) => h('div', {}, h('code', {}, o.name), o.dynamic ? ' (dynamic)' : ''))),
          h('td', { class: 'num' }, String(op.maxRetries || 0)))))))),
      section('Config schema', schemaTree(job.configSchema))),
    h('div', { class: 'grid-2' }, section('Schedules', schedulesHost), section('Recent runs', runsHost)));
  if (!ops.length) container.querySelector('.dag-wrap').replaceWith(h('p', { class: 'empty' }, 'This job has no ops.'));

  get(`/api/v1/schedules${query({ location: job.locationName })}`, { signal }).then((r) => {
    const mine = r.schedules.filter((s) => s.jobName === job.name);
    replace(schedulesHost, mine.length ? h('ul', {}, mine.map((s) => h('li', {},
      h('a', { href: `/locations/${enc(s.locationName)}/schedules/${enc(s.name)}` }, s.name), ` · `, h('code', {}, s.cronSchedule),
      ` (${s.executionTimezone || 'UTC'}) · `, s.status === 'RUNNING' ? h('span', { class: 'chip ok' }, 'running') : h('span', { class: 'chip neutral' }, 'stopped'))))
      : h('p', { class: 'muted' }, 'No schedule launches this job.'));
  }, (err) => { if (err.name !== 'AbortError') replace(schedulesHost, errorBox(err, 'Schedules unavailable')); });

  get(`/api/v1/runs${query({ job: job.name, limit: 10 })}`, { signal }).then((r) => {
    replace(runsHost, r.runs.length ? h('table', { class: 'table' }, h('tbody', {}, r.runs.map((run) => h('tr', {},
      h('td', {}, h('a', { class: 'run-id', href: `/runs/${enc(run.runId)}` }, run.runId.slice(0, 8))),
      h('td', {}, statusChip(run.status)), h('td', {}, time(run.createdAt)), h('td', { class: 'num' }, duration(runDuration(run)))))))
      : h('p', { class: 'muted' }, 'No runs yet.'));
  }, (err) => { if (err.name !== 'AbortError') replace(runsHost, errorBox(err, 'Runs unavailable')); });
}

