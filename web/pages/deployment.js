// Deployment: code locations (reachable, version, image), daemons (heartbeats, errors) and the
// instance's configuration (coordinator, launcher, storage - the API never sends credentials).

import { enc, get, post, session } from '../lib/api.js';
import { errorBox, errorText, h, keyValues, relative, replace, section, time, toast } from '../lib/dom.js';

function describeSection(sectionValue) {
  if (!sectionValue || typeof sectionValue !== 'object') return '—';
  const { class: cls, ...rest } = sectionValue;
  const details = Object.entries(rest).filter(([, v]) => v !== null && v !== '' && !(Array.isArray(v) && !v.length))
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : v}`);
  return h('span', {}, h('strong', {}, cls || '?'), details.length ? h('span', { class: 'muted' }, ` (${details.join('; ')})`) : null);
}

export async function render(ctx) {
  const { container, signal } = ctx;
  ctx.setTitle('Deployment');
  const locationsHost = h('div', {}, h('p', { class: 'loading' }, 'Asking the code locations…'));
  const daemonsHost = h('div', {}, h('p', { class: 'loading' }, 'Loading heartbeats…'));
  const instanceHost = h('div', {}, h('p', { class: 'loading' }, 'Loading the instance…'));
  replace(container,
    h('div', { class: 'page-header' }, h('div', {}, h('h1', {}, 'Deployment'),
      h('p', { class: 'subtitle' }, 'Code locations, daemons and the instance configuration.'))),
    section('Code locations', locationsHost), section('Daemons', daemonsHost), section('Instance', instanceHost));
  await session.ready;

  const loadLocations = () => get('/api/v1/locations', { signal }).then((r) => {
    replace(locationsHost, r.locations.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table locations', 'aria-label': 'Code locations' },
      h('thead', {}, h('tr', {}, ['Location', 'Status', 'Address', 'Version', 'Image', 'Workers', 'Up since', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, r.locations.map((loc) => {
        let reload = null;
        if (session.can('admin')) {
          reload = h('button', { class: 'btn small', type: 'button' }, 'Reload');
          reload.addEventListener('click', async () => {
            reload.disabled = true;
            try {
              const res = await post(`/api/v1/locations/${enc(loc.name)}/reload`);
              toast(`${loc.name} reloaded: ${res.jobCount} job(s).`);
              loadLocations();
            } catch (err) {
              toast(errorText(err), 'error');
              reload.disabled = false;
            }
          });
        }
        return h('tr', { 'data-location': loc.name },
          h('td', {}, h('strong', {}, loc.name), loc.repositoryName ? h('div', { class: 'muted' }, loc.repositoryName) : null),
          h('td', {}, loc.status === 'ok' ? h('span', { class: 'chip ok' }, 'reachable') : h('span', { class: 'chip bad' }, 'unavailable'),
            loc.error ? h('div', { class: 'field-error' }, loc.error) : null),
          h('td', {}, h('code', {}, loc.address)),
          h('td', {}, loc.version || '—'),
          h('td', {}, loc.image ? h('code', {}, loc.image) : h('span', { class: 'muted' }, 'none (DAGSTER_CURRENT_IMAGE unset)')),
          h('td', { class: 'num' }, loc.runningWorkers === undefined ? '—' : String(loc.runningWorkers)),
          h('td', {}, time(loc.startedAt)),
          h('td', {}, reload));
      })))) : h('p', { class: 'empty' }, 'The workspace names no code location.'));
  }, (err) => { if (err.name !== 'AbortError') replace(locationsHost, errorBox(err, 'The code locations could not be listed')); });

  const loadDaemons = () => get('/api/v1/daemon/health', { signal }).then((r) => {
    replace(daemonsHost,
      h('p', {}, r.healthy ? h('span', { class: 'chip ok' }, 'All daemons healthy')
        : h('span', { class: 'chip bad' }, r.daemons.length ? 'Some daemon is unhealthy' : 'No daemon has reported: is `lifdag daemon run` running?')),
      r.daemons.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table daemons', 'aria-label': 'Daemons' },
        h('thead', {}, h('tr', {}, ['Daemon', 'Instance', 'Status', 'Last heartbeat', 'Errors'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, r.daemons.map((d) => h('tr', { 'data-daemon': d.daemonType },
          h('td', {}, h('code', {}, d.daemonType)), h('td', {}, d.daemonId),
          h('td', {}, d.healthy ? h('span', { class: 'chip ok' }, 'healthy') : h('span', { class: 'chip bad' }, 'unhealthy')),
          h('td', {}, time(d.lastHeartbeat), h('span', { class: 'muted' }, ` (${relative(d.lastHeartbeat)})`)),
          h('td', {}, d.errors.length ? h('ul', {}, d.errors.map((e) => h('li', { class: 'field-error' }, e))) : h('span', { class: 'muted' }, 'none'))))))) : null);
  }, (err) => { if (err.name !== 'AbortError') replace(daemonsHost, errorBox(err, 'Daemon health unavailable')); });

  get('/api/v1/instance', { signal }).then((i) => {
    replace(instanceHost, keyValues([
      ['lifdag version', i.version],
      ['Home ($DAGSTER_HOME)', h('code', {}, i.home)],
      ['dagster.yaml', i.dagsterYaml ? h('code', {}, i.dagsterYaml) : h('span', { class: 'muted' }, 'none (defaults)')],
      ['Workspace', i.workspace ? h('code', {}, i.workspace) : '—'],
      ['Storage', i.storage],
      ['Run coordinator', describeSection(i.runCoordinator)],
      ['Run launcher', describeSection(i.runLauncher)],
      ['Launcher override', i.launcherOverride && i.launcherOverride.exists ? h('code', {}, i.launcherOverride.path) : h('span', { class: 'muted' }, 'none')],
      ['Scheduler', describeSection(i.scheduler)],
      ['Run monitoring', i.runMonitoring.enabled ? `on (start timeout ${i.runMonitoring.startTimeoutSeconds} s, cancel timeout ${i.runMonitoring.cancelTimeoutSeconds} s${i.runMonitoring.maxRuntimeSeconds ? `, max runtime ${i.runMonitoring.maxRuntimeSeconds} s` : ''})` : 'off'],
      ['Run retries', i.runRetries.enabled ? `on (max ${i.runRetries.maxRetries})` : 'off'],
      ['Authentication', i.auth.enabled ? 'tokens required (viewer < launcher < admin)' : 'off: everyone is admin'],
      ['Code locations', i.locations.map((l) => h('div', {}, `${l.name} at `, h('code', {}, l.address)))],
    ]));
  }, (err) => { if (err.name !== 'AbortError') replace(instanceHost, errorBox(err, 'The instance could not be read')); });

  loadLocations();
  loadDaemons();
  const timer = setInterval(loadDaemons, 15000);
  ctx.onCleanup(() => clearInterval(timer));
}
