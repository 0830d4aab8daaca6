// One run: header and actions, the step timeline, the event log (filters, search, live), the run
// config as YAML and the job's result as a collapsible JSON tree.

import { del, enc, get, post, session } from '../lib/api.js';
import {
  LIVE_STATUSES, confirmDialog, copyText, debounce, duration, errorBox, errorText, h, keyValues, replace,
  runDuration, statusChip, tagChip, time, toast,
} from '../lib/dom.js';
import { subscribeEvents, subscribeRuns } from '../lib/live.js';
import { toYaml } from '../lib/yaml.js';
import { ganttSvg, stepModel } from '../components/gantt.js';
import { jsonTree, setExpanded } from '../components/jsontree.js';

const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];
const MAX_ROWS = 5000;

function launchedBy(run) {
  const t = run.tags || {};
  if (t['dagster/schedule_name']) return h('span', {}, 'schedule ', h('a', { href: `/locations/${enc(run.locationName)}/schedules/${enc(t['dagster/schedule_name'])}` }, t['dagster/schedule_name']));
  if (t['lifdag/launched_by']) return t['lifdag/launched_by'];
  if (t['dagster/retry_number']) return `run retries (retry ${t['dagster/retry_number']})`;
  return h('span', { class: 'muted' }, 'not recorded');
}

export async function render(ctx) {
  const { container, signal, params } = ctx;
  const runId = params.runId;
  ctx.setTitle(`Run ${runId.slice(0, 8)}`);
  replace(container, h('p', { class: 'loading' }, 'Loading the run…'));

  let run;
  let firstPage;
  try {
    [run, firstPage] = await Promise.all([
      get(`/api/v1/runs/${enc(runId)}`, { signal }).then((r) => r.run),
      get(`/api/v1/runs/${enc(runId)}/events?limit=10000`, { signal }),
      session.ready,
    ]);
  } catch (err) {
    if (err.name === 'AbortError') return;
    replace(container, h('h1', {}, `Run ${runId}`), errorBox(err, err.status === 404 ? 'No such run' : 'The run could not be loaded'));
    return;
  }
  if (signal.aborted) return;

  const events = [...firstPage.events];
  let cursor = firstPage.cursor;
  let more = firstPage.hasMore;
  while (more && !signal.aborted) {
    const next = await get(`/api/v1/runs/${enc(runId)}/events?after=${cursor}&limit=10000`, { signal });
    events.push(...next.events);
    cursor = next.cursor;
    more = next.hasMore;
  }

  // ---- header -----------------------------------------------------------------------------------
  const header = h('div', {});
  const actions = h('div', { class: 'actions' });
  const renderHeader = () => {
    const tags = Object.entries(run.tags || {});
    replace(header,
      h('div', { class: 'page-header run-header' },
        h('div', {},
          h('h1', {}, 'Run ', h('span', { class: 'run-id', title: run.runId }, run.runId.slice(0, 8)), ' ', statusChip(run.status)),
          h('p', { class: 'subtitle' }, h('a', { href: `/locations/${enc(run.locationName)}/jobs/${enc(run.jobName)}` }, run.jobName),
            ` · ${run.locationName}`)),
        actions),
      h('div', { class: 'panel' }, keyValues([
        ['Run ID', h('code', {}, run.runId)],
        ['Status', statusChip(run.status)],
        ['Job', h('a', { href: `/locations/${enc(run.locationName)}/jobs/${enc(run.jobName)}` }, run.jobName)],
        ['Launched by', launchedBy(run)],
        ['Created', time(run.createdAt)],
        ['Started', time(run.startedAt)],
        ['Ended', time(run.endedAt)],
        ['Duration', h('span', { class: 'run-duration' }, duration(runDuration(run)))],
        run.parentRunId ? ['Re-execution of', h('a', { href: `/runs/${enc(run.parentRunId)}`, class: 'run-id' }, run.parentRunId.slice(0, 8))] : null,
        run.rootRunId && run.rootRunId !== run.parentRunId ? ['Root run', h('a', { href: `/runs/${enc(run.rootRunId)}`, class: 'run-id' }, run.rootRunId.slice(0, 8))] : null,
        ['Tags', tags.length ? h('div', { class: 'tags' }, tags.map(([k, v]) => tagChip(k, v, `/runs?tag=${enc(`${k}=${v}`)}`))) : h('span', { class: 'muted' }, 'none')],
      ])));
    renderActions();
  };

  const busy = (button, fn) => async () => {
    button.disabled = true;
    try {
      await fn();
    } catch (err) {
      toast(errorText(err), 'error');
    } finally {
      button.disabled = false;
    }
  };
  const renderActions = () => {
    const list = [];
    const copy = h('button', { class: 'btn', type: 'button' }, 'Copy ID');
    copy.addEventListener('click', async () => toast(await copyText(run.runId) ? 'Run ID copied.' : 'Copying was refused by the browser.'));
    list.push(copy);
    if (session.can('launcher')) {
      if (LIVE_STATUSES.has(run.status)) {
        const b = h('button', { class: 'btn danger', type: 'button' }, 'Terminate');
        b.addEventListener('click', busy(b, async () => {
          if (!await confirmDialog(`Terminate run ${run.runId.slice(0, 8)}?`, { confirm: 'Terminate', danger: true })) return;
          const r = await post(`/api/v1/runs/${enc(run.runId)}/terminate`);
          run = r.run;
          renderHeader();
          toast('Termination requested.');
        }));
        list.push(b);
      }
      const reexecute = (strategy) => {
        const b = h('button', { class: strategy === 'ALL_STEPS' ? 'btn' : 'btn primary', type: 'button' },
          strategy === 'ALL_STEPS' ? 'Re-execute all' : 'Re-execute from failure');
        b.addEventListener('click', busy(b, async () => {
          const r = await post(`/api/v1/runs/${enc(run.runId)}/reexecute`, { strategy });
          toast(`Launched run ${r.run.runId.slice(0, 8)}.`);
          ctx.navigate(`/runs/${enc(r.run.runId)}`);
        }));
        return b;
      };
      if (run.status === 'FAILURE') list.push(reexecute('FROM_FAILURE'));
      if (!LIVE_STATUSES.has(run.status)) list.push(reexecute('ALL_STEPS'));
    }
    if (session.can('admin') && !LIVE_STATUSES.has(run.status)) {
      const b = h('button', { class: 'btn danger', type: 'button' }, 'Delete');
      b.addEventListener('click', busy(b, async () => {
        if (!await confirmDialog(`Delete run ${run.runId.slice(0, 8)} and its events? This cannot be undone.`, { confirm: 'Delete', danger: true })) return;
        await del(`/api/v1/runs/${enc(run.runId)}`);
        toast('Run deleted.');
        ctx.navigate('/runs');
      }));
      list.push(b);
    }
    replace(actions, list);
  };

  // ---- timeline ---------------------------------------------------------------------------------
  const ganttHost = h('div', { class: 'gantt-wrap', id: 'timeline' });
  const legend = h('div', { class: 'legend', 'aria-hidden': 'true' },
    [['success', 'Succeeded'], ['running', 'Running'], ['retry', 'Failed, retried'], ['failure', 'Failed'], ['skipped', 'Skipped'], ['canceled', 'Canceled']]
      .map(([c, t]) => h('span', {}, h('i', { class: `sw-${c}` }), t)));
  let ganttQueued = false;
  const drawGantt = () => {
    ganttQueued = false;
    const model = stepModel(events);
    if (!model.steps.length) {
      replace(ganttHost, h('p', { class: 'empty' }, LIVE_STATUSES.has(run.status) ? 'No step has started yet.' : 'This run executed no steps.'));
      return;
    }
    replace(ganttHost, ganttSvg(model, { width: Math.max(ganttHost.clientWidth || 900, 600) - 2, onSelect: (key) => selectStep(key) }));
  };
  const scheduleGantt = () => {
    if (ganttQueued) return;
    ganttQueued = true;
    requestAnimationFrame(drawGantt);
  };

  // ---- event log --------------------------------------------------------------------------------
  const levelSelect = h('select', { id: 'log-level' },
    h('option', { value: '' }, 'All levels'), LEVELS.slice(1).map((l) => h('option', { value: l }, `${l} and above`)));
  const stepSelect = h('select', { id: 'log-step' }, h('option', { value: '' }, 'All steps'), h('option', { value: '-' }, 'Run events only'));
  const search = h('input', { id: 'log-search', type: 'search', placeholder: 'Search messages and types', size: 28 });
  const follow = h('input', { id: 'log-follow', type: 'checkbox', checked: true });
  const counter = h('span', { class: 'muted', 'aria-live': 'polite' });
  const tbody = h('tbody', {});
  const scroller = h('div', { class: 'scroll-box' }, h('table', { class: 'table event-log', 'aria-label': 'Event log' },
    h('thead', {}, h('tr', {}, ['Time', 'Level', 'Step', 'Type', 'Message'].map((c) => h('th', { scope: 'col' }, c)))), tbody));
  const steps = new Set();
  let shown = 0;

  const passes = (e) => {
    const level = levelSelect.value;
    if (level && LEVELS.indexOf(e.level) < LEVELS.indexOf(level)) return false;
    const step = stepSelect.value;
    if (step === '-' && e.stepKey) return false;
    if (step && step !== '-' && e.stepKey !== step) return false;
    const q = search.value.trim().toLowerCase();
    if (q && !(`${e.message} ${e.eventType} ${e.stepKey || ''}`.toLowerCase().includes(q))) return false;
    return true;
  };
  const eventRow = (e) => h('tr', { 'data-event-type': e.eventType, 'data-storage-id': e.storageId },
    h('td', { class: 'mono' }, time(e.timestamp, { timeOnly: true })),
    h('td', {}, h('span', { class: `lvl lvl-${e.level}` }, e.level)),
    h('td', { class: 'mono' }, e.stepKey ? h('button', { class: 'btn small', type: 'button', title: `Only ${e.stepKey}`, onClick: () => selectStep(e.stepKey) }, e.stepKey) : ''),
    h('td', {}, h('span', { class: 'event-type' }, e.eventType)),
    h('td', { class: 'msg' }, e.message));
  const updateCounter = () => {
    counter.textContent = `${shown} of ${events.length} events${shown >= MAX_ROWS ? ` (showing the first ${MAX_ROWS}: narrow the filters)` : ''}`;
  };
  const addStepOptions = (list) => {
    for (const e of list) {
      if (e.stepKey && !steps.has(e.stepKey)) {
        steps.add(e.stepKey);
        stepSelect.appendChild(h('option', { value: e.stepKey }, e.stepKey));
      }
    }
  };
  const renderLog = () => {
    const frag = document.createDocumentFragment();
    shown = 0;
    for (const e of events) {
      if (shown >= MAX_ROWS) break;
      if (passes(e)) {
        frag.appendChild(eventRow(e));
        shown++;
      }
    }
    replace(tbody, frag);
    updateCounter();
  };
  const appendLog = (list) => {
    const atBottom = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 40;
    for (const e of list) {
      if (shown < MAX_ROWS && passes(e)) {
        tbody.appendChild(eventRow(e));
        shown++;
      }
    }
    updateCounter();
    if (follow.checked && atBottom) scroller.scrollTop = scroller.scrollHeight;
  };
  levelSelect.addEventListener('change', renderLog);
  stepSelect.addEventListener('change', renderLog);
  search.addEventListener('input', debounce(renderLog, 150));

  // ---- tabs: events, config, result ------------------------------------------------------------------
  const panels = {};
  const tabButtons = {};
  const tabList = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Run details' });
  const showTab = (name) => {
    for (const [n, b] of Object.entries(tabButtons)) {
      b.setAttribute('aria-selected', String(n === name));
      b.tabIndex = n === name ? 0 : -1;
      panels[n].hidden = n !== name;
    }
    if (name === 'result') loadResult();
  };
  const addTab = (name, label, panel) => {
    const b = h('button', { type: 'button', role: 'tab', id: `tab-${name}`, 'aria-controls': `panel-${name}` }, label);
    b.addEventListener('click', () => showTab(name));
    b.addEventListener('keydown', (e) => {
      const names = Object.keys(tabButtons);
      const i = names.indexOf(name);
      const next = e.key === 'ArrowRight' ? names[(i + 1) % names.length] : e.key === 'ArrowLeft' ? names[(i + names.length - 1) % names.length] : null;
      if (next) {
        showTab(next);
        tabButtons[next].focus();
      }
    });
    tabButtons[name] = b;
    panel.id = `panel-${name}`;
    panel.setAttribute('role', 'tabpanel');
    panel.setAttribute('aria-labelledby', `tab-${name}`);
    panels[name] = panel;
    tabList.appendChild(b);
  };

  addTab('events', 'Event log', h('div', {},
    h('div', { class: 'log-controls' },
      h('div', { class: 'field' }, h('label', { for: 'log-level' }, 'Level'), levelSelect),
      h('div', { class: 'field' }, h('label', { for: 'log-step' }, 'Step'), stepSelect),
      h('div', { class: 'field' }, h('label', { for: 'log-search' }, 'Search'), search),
      h('label', { class: 'row' }, follow, ' Follow new events'),
      counter),
    scroller));

  const yaml = toYaml(run.runConfig || {});
  const copyConfig = h('button', { class: 'btn small', type: 'button' }, 'Copy YAML');
  copyConfig.addEventListener('click', async () => toast(await copyText(yaml) ? 'Run config copied.' : 'Copying was refused by the browser.'));
  const openLaunchpad = session.can('launcher') ? h('a', {
    class: 'btn small', href: `/locations/${enc(run.locationName)}/jobs/${enc(run.jobName)}/launchpad`,
    onClick: () => sessionStorage.setItem('lifdag.launchpad.prefill', JSON.stringify({ job: run.jobName, yaml, tags: run.tags })),
  }, 'Open in launchpad') : null;
  addTab('config', 'Run config', h('div', {}, h('div', { class: 'row' }, copyConfig, openLaunchpad),
    h('pre', { class: 'code-block', 'aria-label': 'Run config (YAML)', id: 'run-config' }, yaml)));

  const resultHost = h('div', {}, h('p', { class: 'loading' }, 'Loading the result…'));
  let resultLoaded = false;
  const loadResult = async () => {
    if (resultLoaded) return;
    resultLoaded = true;
    try {
      const r = await get(`/api/v1/runs/${enc(run.runId)}/result`, { signal });
      if (r.result === null) {
        replace(resultHost, h('p', { class: 'empty' }, LIVE_STATUSES.has(run.status) ? 'No result yet: the run is still going.' : 'This run stored no result.'));
        resultLoaded = LIVE_STATUSES.has(run.status) ? false : true;
        return;
      }
      const tree = jsonTree(r.result, { label: 'Run result', openDepth: 3 });
      const text = JSON.stringify(r.result, null, 2);
      const copy = h('button', { class: 'btn small', type: 'button' }, 'Copy JSON');
      copy.addEventListener('click', async () => toast(await copyText(text) ? 'Result copied.' : 'Copying was refused by the browser.'));
      replace(resultHost,
        h('div', { class: 'row' },
          h('button', { class: 'btn small', type: 'button', onClick: () => setExpanded(tree, true) }, 'Expand all'),
          h('button', { class: 'btn small', type: 'button', onClick: () => setExpanded(tree, false) }, 'Collapse all'),
          copy, h('span', { class: 'muted' }, `${(text.length / 1024).toFixed(1)} KiB`)),
        tree);
    } catch (err) {
      if (err.name === 'AbortError') return;
      resultLoaded = false;
      replace(resultHost, errorBox(err, 'The result could not be loaded'));
    }
  };
  addTab('result', 'Result', resultHost);

  const timeline = h('section', { class: 'panel', 'aria-labelledby': 'timeline-title' },
    h('h2', { id: 'timeline-title' }, 'Step timeline'), legend, ganttHost);
  replace(container, header, timeline, tabList, Object.values(panels));
  renderHeader();
  addStepOptions(events);
  renderLog();
  showTab(run.hasResult ? 'result' : 'events');
  drawGantt();

  function selectStep(key) {
    stepSelect.value = key;
    renderLog();
    showTab('events');
    tabButtons.events.focus();
  }

  // ---- live -----------------------------------------------------------------------------------------
  const applyRun = (fresh) => {
    const wasLive = LIVE_STATUSES.has(run.status);
    const changed = fresh.status !== run.status || fresh.endedAt !== run.endedAt || fresh.hasResult !== run.hasResult;
    run = { ...run, ...fresh, runConfig: run.runConfig };
    if (!changed) return;
    renderHeader();
    if (wasLive && !LIVE_STATUSES.has(run.status)) {
      scheduleGantt();
      if (run.hasResult) {
        resultLoaded = false;
        if (!panels.result.hidden) loadResult();
      }
    }
  };
  // The run's own lifecycle events also refresh it: the header never lags behind its log.
  const refreshRun = debounce(() => get(`/api/v1/runs/${enc(runId)}`, { signal }).then((r) => applyRun(r.run), () => {}), 150);
  ctx.onCleanup(refreshRun.cancel);
  ctx.onCleanup(subscribeEvents(runId, cursor, (fresh) => {
    const known = events.length ? events[events.length - 1].storageId : 0;
    const list = fresh.filter((e) => e.storageId > known);
    if (!list.length) return;
    events.push(...list);
    addStepOptions(list);
    appendLog(list);
    scheduleGantt();
    if (list.some((e) => e.eventType.startsWith('RUN_'))) refreshRun();
  }));
  ctx.onCleanup(subscribeRuns([runId], applyRun, () => {
    toast('This run was deleted.', 'error');
  }));
  const ticker = setInterval(() => {
    if (!LIVE_STATUSES.has(run.status)) return;
    const d = header.querySelector('.run-duration');
    if (d) d.textContent = duration(runDuration(run));
    scheduleGantt(); // running bars grow
  }, 1000);
  ctx.onCleanup(() => clearInterval(ticker));
  const onResize = debounce(scheduleGantt, 150);
  window.addEventListener('resize', onResize);
  ctx.onCleanup(() => window.removeEventListener('resize', onResize));
}
