// The web UI's browser scenarios: Debian's chromium, headless, driven by puppeteer-core against a
// real `lifdag dev` (and an authenticated `lifdag webserver`) that tst_webui_browser started. It
// seeds runs through the REST API, loads every page, asserts what a person would see, saves a
// screenshot of each page, and prints one line per scenario: `RESULT {"name","ok","error","ms"}`.
// Environment: WEBUI_BASE_URL, WEBUI_AUTH_BASE_URL, WEBUI_VIEWER_TOKEN, WEBUI_SCREENSHOT_DIR, CHROMIUM.

import { mkdirSync } from 'node:fs';
import puppeteer from 'puppeteer-core';

const BASE = process.env.WEBUI_BASE_URL;
const AUTH_BASE = process.env.WEBUI_AUTH_BASE_URL;
const VIEWER_TOKEN = process.env.WEBUI_VIEWER_TOKEN;
const SHOTS = process.env.WEBUI_SCREENSHOT_DIR;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const only = process.argv.slice(2);

mkdirSync(SHOTS, { recursive: true });
const log = (...args) => console.error(new Date().toISOString(), ...args);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

// ---- the REST API, for seeding and for checking what the UI did ----------------------------------

async function api(method, path, body, base = BASE) {
  const response = await fetch(base + path, {
    method, headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

async function launch(job, runConfig = {}, tags = {}) {
  const r = await api('POST', '/api/v1/runs', { job, runConfig, tags });
  return r.run.runId;
}

async function waitForRun(runId, predicate, timeoutMs = 60000) {
  const start = Date.now();
  for (;;) {
    const { run } = await api('GET', `/api/v1/runs/${runId}`);
    if (predicate(run)) return run;
    if (Date.now() - start > timeoutMs) throw new Error(`run ${runId} is still ${run.status} after ${timeoutMs} ms`);
    await sleep(150);
  }
}
const ended = (r) => ['SUCCESS', 'FAILURE', 'CANCELED'].includes(r.status);

const fanout = (count, sleepMs, failKeys = []) => ({ ops: { fan_out: { config: { count, sleep_ms: sleepMs, fail_keys: failKeys } } } });
const part = (source, adapter, paths, translate) => ({
  information_source_id: source, adapter_id: adapter,
  person_id: { identifier: '100001', identifierType: 'School-assigned number' }, lif_fragment_paths: paths,
  ...(translate ? { translation: { source_schema_id: '26', target_schema_id: '17' } } : {}),
});
const lifConfig = {
  resources: { config_resource: { config: { lif_query_plan_parts: [
    part('org2', 'lif-to-lif', ['person.name']),
    part('org1-example-data-source', 'example-data-source-rest-api-to-lif', ['person.employmentPreferences'], true),
  ] } } },
};

// ---- the browser -----------------------------------------------------------------------------

const browser = await puppeteer.launch({
  executablePath: CHROMIUM, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-extensions'],
});
const results = [];
const seeded = {};

async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

// Runs one scenario on a fresh page; console errors, uncaught exceptions and failed requests fail
// it, except HTTP errors the scenario provokes on purpose (`allow`: regular expressions).
async function scenario(name, fn, { allow = [] } = {}) {
  if (only.length && !only.includes(name)) return;
  const page = await browser.newPage();
  await page.setViewport({ width: 1366, height: 900 });
  const problems = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = `${m.text()} ${m.location() && m.location().url ? `(${m.location().url})` : ''}`;
    if (!allow.some((re) => re.test(text))) problems.push(`console: ${text}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => {
    const failure = r.failure() ? r.failure().errorText : '';
    if (failure !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} ${failure}`);
  });
  const started = Date.now();
  const result = { name, ok: true, ms: 0 };
  try {
    await fn(page);
    await sleep(100);
    if (problems.length) throw new Error(problems.join(' | '));
  } catch (err) {
    result.ok = false;
    result.error = err && err.message ? err.message.split('\n')[0] : String(err);
    try {
      await shot(page, `${name}-failure`);
    } catch {
      // the page may be gone
    }
  }
  result.ms = Date.now() - started;
  results.push(result);
  console.log(`RESULT ${JSON.stringify(result)}`);
  log(name, result.ok ? 'ok' : `FAILED: ${result.error}`, `${result.ms} ms`);
  await page.close();
}

const visit = (page, path, base = BASE) => page.goto(base + path, { waitUntil: 'domcontentloaded' });
const texts = (page, selector) => page.$$eval(selector, (els) => els.map((e) => e.textContent.trim()));
const waitText = (page, selector, text, timeout = 15000) => page.waitForFunction(
  (s, t) => [...document.querySelectorAll(s)].some((e) => e.textContent.includes(t)), { timeout }, selector, text);
const count = (page, selector) => page.$$eval(selector, (els) => els.length);

async function confirmDialog(page) {
  await page.waitForSelector('dialog[open] button[value="ok"]', { visible: true });
  await page.click('dialog[open] button[value="ok"]');
}

// ---- scenarios --------------------------------------------------------------------------------

await scenario('seed', async () => {
  seeded.hello = await launch('hello_job', { ops: { hello: { config: { name: 'browser' } } } }, { team: 'lif' });
  seeded.diamond = await launch('diamond_job');
  seeded.flaky = await launch('flaky_job', { ops: { flaky: { config: { failures: 2 } } } });
  seeded.failed = await launch('fanout_job', fanout(4, 20, ['item_2']), { purpose: 'failure' });
  seeded.running = await launch('fanout_job', fanout(3, 600000), { purpose: 'running' });
  seeded.lif = await launch('lif_dynamic_pipeline_job', lifConfig, { origin: 'browser-test' });
  for (const id of [seeded.hello, seeded.diamond, seeded.flaky, seeded.failed, seeded.lif]) await waitForRun(id, ended);
  const lif = await waitForRun(seeded.lif, ended);
  assert(lif.status === 'SUCCESS', `the LIF job ended ${lif.status}`);
  assert((await waitForRun(seeded.failed, ended)).status === 'FAILURE', 'the failing fan-out did not fail');
  await waitForRun(seeded.running, (r) => r.status === 'STARTED', 30000);
});

await scenario('runs', async (page) => {
  await visit(page, '/runs');
  await page.waitForSelector('table.runs tbody tr');
  const rows = await count(page, 'table.runs tbody tr');
  assert(rows >= 6, `expected at least 6 runs, found ${rows}`);
  const statuses = await texts(page, 'table.runs .status-cell .chip');
  for (const s of ['Success', 'Failure', 'Started']) assert(statuses.includes(s), `no ${s} chip among ${statuses.join(', ')}`);
  await waitText(page, '#run-summary', 'in progress');
  const inProgress = await page.$eval('[data-count="in progress"]', (e) => Number(e.textContent));
  assert(inProgress >= 1, `in progress shows ${inProgress}`);
  // The running fan-out's row says Started, with its job linked.
  await page.waitForSelector(`tr[data-run-id="${seeded.running}"][data-status="STARTED"]`);
  await shot(page, 'runs');

  // A new run arrives live and turns Success without a reload.
  const fresh = await launch('hello_job', {}, { purpose: 'live' });
  await page.waitForSelector(`tr[data-run-id="${fresh}"]`, { timeout: 15000 });
  await page.waitForSelector(`tr[data-run-id="${fresh}"][data-status="SUCCESS"]`, { timeout: 30000 });

  // Filters live in the URL.
  await visit(page, '/runs?status=FAILURE');
  await page.waitForSelector('table.runs tbody tr');
  const failed = await texts(page, 'table.runs .status-cell .chip');
  assert(failed.length >= 1 && failed.every((s) => s === 'Failure'), `status filter shows ${failed.join(', ')}`);
  assert(await page.$eval('input[name="status"][value="FAILURE"]', (e) => e.checked), 'the FAILURE box is not checked');
  await visit(page, '/runs?tag=team%3Dlif');
  await page.waitForSelector('table.runs tbody tr');
  const tagged = await page.$$eval('table.runs tbody tr', (trs) => trs.map((tr) => tr.dataset.runId));
  assert(tagged.length === 1 && tagged[0] === seeded.hello, `tag filter shows ${tagged.join(', ')}`);
  await shot(page, 'runs-filtered');
  // Filtering through the form changes the URL.
  await visit(page, '/runs');
  await page.waitForSelector('table.runs tbody tr');
  await page.type('#filter-job', 'diamond_job');
  await Promise.all([page.waitForFunction(() => location.search.includes('job=diamond_job')), page.click('form.filters button[type="submit"]')]);
  await page.waitForFunction(() => [...document.querySelectorAll('table.runs tbody tr')].length === 1);
});

await scenario('bulk-terminate', async (page) => {
  const victim = await launch('fanout_job', fanout(2, 600000), { purpose: 'bulk' });
  await waitForRun(victim, (r) => r.status === 'STARTED', 30000);
  await visit(page, '/runs?tag=purpose%3Dbulk');
  await page.waitForSelector(`tr[data-run-id="${victim}"]`);
  await page.click(`tr[data-run-id="${victim}"] input[type="checkbox"]`);
  await page.click('.bulk-bar button:not(.danger)');
  await confirmDialog(page);
  await page.waitForSelector(`tr[data-run-id="${victim}"][data-status="CANCELED"]`, { timeout: 30000 });
  // Ended now: it can be deleted, and its row goes.
  await page.waitForFunction((id) => !document.querySelector(`tr[data-run-id="${id}"] input[type="checkbox"]`).checked, {}, victim);
  await page.click(`tr[data-run-id="${victim}"] input[type="checkbox"]`);
  await page.waitForSelector('.bulk-bar button.danger:not([disabled])');
  await page.click('.bulk-bar button.danger');
  await confirmDialog(page);
  await page.waitForFunction((id) => !document.querySelector(`tr[data-run-id="${id}"]`), { timeout: 10000 }, victim);
  const gone = await fetch(`${BASE}/api/v1/runs/${victim}`);
  assert(gone.status === 404, `the deleted run still answers ${gone.status}`);
});

await scenario('run-live', async (page) => {
  // A fan-out whose steps end while the page is open: events and bars arrive live.
  const id = await launch('fanout_job', fanout(6, 700), { purpose: 'live-events' });
  await waitForRun(id, (r) => r.status === 'STARTED', 30000);
  await visit(page, `/runs/${id}`);
  await page.waitForSelector('.gantt .bar');
  const before = await count(page, '.event-log tbody tr');
  await page.waitForSelector('.event-log tr[data-event-type="STEP_SUCCESS"]', { timeout: 20000 });
  await page.waitForFunction((n) => document.querySelectorAll('.event-log tbody tr').length > n, { timeout: 20000 }, before);
  await shot(page, 'run-live');
  await page.waitForSelector('.event-log tr[data-event-type="RUN_SUCCESS"]', { timeout: 30000 });
  await waitText(page, 'h1 .chip', 'Success');
  const bars = await page.$$eval('.gantt .bar', (els) => els.map((e) => e.dataset.state));
  assert(bars.length >= 8 && bars.every((s) => s === 'success'), `bars after the run: ${bars.join(',')}`);
  // Level filter and search narrow the log.
  await page.select('#log-level', 'ERROR');
  assert(await count(page, '.event-log tbody tr') === 0, 'an ERROR filter still shows rows of a clean run');
  await page.select('#log-level', '');
  await page.type('#log-search', 'gathered');
  await page.waitForFunction(() => document.querySelectorAll('.event-log tbody tr').length === 1);
  // A bar selects its step in the log.
  await page.evaluate(() => document.querySelector('.gantt .bar[data-step="work[item_3]"]').dispatchEvent(new MouseEvent('click', { bubbles: true })));
  await page.waitForFunction(() => document.querySelector('#log-step').value === 'work[item_3]');
});

await scenario('run-terminate', async (page) => {
  await visit(page, `/runs/${seeded.running}`);
  await page.waitForSelector('.gantt .bar[data-state="running"]');
  // As many work items run at once as the run's executor allows (the machine's cores).
  const running = await count(page, '.gantt .bar[data-state="running"]');
  assert(running >= 1, `expected running work bars, found ${running}`);
  assert(await count(page, '.gantt .bar[data-step="fan_out"][data-state="success"]') === 1, 'fan_out is not shown done');
  await shot(page, 'run-running');
  const [terminate] = await page.$$('xpath/.//button[normalize-space()="Terminate"]');
  assert(terminate, 'no Terminate button on a running run');
  await terminate.click();
  await confirmDialog(page);
  // The cancellation's events stream in, and the header follows.
  await page.waitForSelector('.event-log tr[data-event-type="RUN_CANCELING"]', { timeout: 15000 });
  await page.waitForSelector('.event-log tr[data-event-type="RUN_CANCELED"]', { timeout: 30000 });
  await waitText(page, 'h1 .chip', 'Canceled');
});

await scenario('run-lif-result', async (page) => {
  await visit(page, `/runs/${seeded.lif}`);
  await page.waitForSelector('.json-tree');
  await waitText(page, '.json-tree', 'query_plan_part_results');
  await waitText(page, '.json-tree', 'org1-example-data-source');
  const steps = await page.$$eval('.gantt .step-row', (els) => els.map((e) => e.dataset.step));
  assert(steps.some((s) => s.startsWith('run_lif_adapter[')), `no dynamic adapter step among ${steps.join(', ')}`);
  assert(steps.includes('send_results_to_query_planner'), 'no send_results step');
  await page.click('#tab-result');
  await page.click('xpath/.//button[normalize-space()="Expand all"]');
  await shot(page, 'run-lif-result');
  await page.click('#tab-config');
  await waitText(page, '#run-config', 'lif_query_plan_parts');
  await shot(page, 'run-config');
});

await scenario('run-retries', async (page) => {
  await visit(page, `/runs/${seeded.flaky}`);
  await page.waitForSelector('.gantt .bar');
  const states = await page.$$eval('.gantt .bar[data-step="flaky"]', (els) => els.map((e) => e.dataset.state));
  assert(states.join(',') === 'retry,retry,success', `flaky's attempts: ${states.join(',')}`);
  await waitText(page, '.gantt', '2 retries');
  await shot(page, 'run-retries');
  // Re-execute from failure on the failed fan-out lands on the new run.
  await visit(page, `/runs/${seeded.failed}`);
  const [again] = await page.$$('xpath/.//button[normalize-space()="Re-execute from failure"]');
  assert(again, 'no re-execute from failure on a failed run');
  await Promise.all([page.waitForFunction((id) => location.pathname.startsWith('/runs/') && !location.pathname.endsWith(id), {}, seeded.failed), again.click()]);
  await waitText(page, '.kv', 'Re-execution of');
});

await scenario('jobs', async (page) => {
  await visit(page, '/jobs');
  await page.waitForSelector('table.jobs tr[data-job="fanout_job"]');
  await page.waitForSelector('table.jobs tr[data-job="lif_dynamic_pipeline_job"]');
  await shot(page, 'jobs');
  await visit(page, '/locations/dev_location/jobs/fanout_job');
  await page.waitForSelector('.dag .node');
  assert(await count(page, '.dag .node') === 3, 'fanout_job should draw 3 ops');
  assert(await count(page, '.dag .edge.dynamic') === 1, 'no dynamic fan-out edge');
  assert(await count(page, '.dag .edge.collect') === 1, 'no collect edge');
  assert(await count(page, '.dag .node.mapped') === 1, 'the mapped op is not drawn as a stack');
  await shot(page, 'job-fanout');
  await visit(page, '/locations/dev_location/jobs/lif_dynamic_pipeline_job');
  await page.waitForSelector('.dag .node');
  const ops = await page.$$eval('.dag .node', (els) => els.map((e) => e.dataset.op));
  assert(ops.includes('create_dynamic_pipelines') && ops.includes('send_results_to_query_planner'), `LIF ops: ${ops.join(', ')}`);
  await waitText(page, '.schema-tree', 'lif_query_plan_parts');
  await shot(page, 'job-lif');
});

await scenario('launchpad', async (page) => {
  await visit(page, '/locations/dev_location/jobs/fanout_job/launchpad');
  await page.waitForSelector('#run-config-editor');
  await waitText(page, '#config-status', 'Valid config');
  // An error shows at its path (and its line).
  await page.$eval('#run-config-editor', (t) => { t.value = 'ops:\n  fan_out:\n    config:\n      count: many\n      sleep_ms: 10\n'; });
  await page.type('#run-config-editor', ' ');
  await page.waitForSelector('.violations li[data-path^="ops.fan_out.config.count"]', { timeout: 10000 });
  await waitText(page, '.violations li', '(line 4)');
  await page.waitForSelector('.editor .gutter .bad');
  await waitText(page, '#config-status', 'problem');
  await shot(page, 'launchpad-error');
  // Fixed: valid, tagged, launched, and the browser is on the new run.
  await page.$eval('#run-config-editor', (t) => { t.value = 'ops:\n  fan_out:\n    config:\n      count: 2\n'; });
  await page.type('#run-config-editor', ' ');
  await waitText(page, '#config-status', 'Valid config');
  await page.click('xpath/.//button[normalize-space()="Add tag"]');
  await page.type('.tag-key', 'origin');
  await page.type('.tag-value', 'launchpad');
  await shot(page, 'launchpad');
  await Promise.all([page.waitForFunction(() => /^\/runs\/[0-9a-f-]{36}$/.test(location.pathname), { timeout: 15000 }), page.click('#launch')]);
  await page.waitForSelector('.run-header');
  await waitText(page, '.kv', 'origin=launchpad');
  const runId = await page.evaluate(() => location.pathname.split('/').pop());
  const run = await waitForRun(runId, ended);
  assert(run.status === 'SUCCESS' && run.runConfig.ops.fan_out.config.count === 2, `launched run: ${JSON.stringify(run).slice(0, 200)}`);
}, { allow: [] });

await scenario('schedules', async (page) => {
  await visit(page, '/schedules');
  await page.waitForSelector('tr[data-schedule="hello_schedule"][data-status="STOPPED"]');
  await page.click('tr[data-schedule="hello_schedule"] button[data-action="start"]');
  await page.waitForSelector('tr[data-schedule="hello_schedule"][data-status="RUNNING"]');
  await page.waitForSelector('tr[data-schedule="hello_schedule"] time');
  await shot(page, 'schedules');
  await page.click('tr[data-schedule="hello_schedule"] button[data-action="stop"]');
  await page.waitForSelector('tr[data-schedule="hello_schedule"][data-status="STOPPED"]');
  await visit(page, '/locations/dev_location/schedules/hello_schedule');
  await page.waitForSelector('ol.next-ticks li time');
  assert(await count(page, 'ol.next-ticks li') === 5, 'five next ticks expected');
  await waitText(page, 'section', 'Tick history');
  await shot(page, 'schedule');
});

await scenario('deployment', async (page) => {
  await visit(page, '/deployment');
  await page.waitForSelector('table.locations tr[data-location="dev_location"] .chip.ok');
  await page.waitForSelector('table.daemons tbody tr');
  await waitText(page, '.kv', 'SQLite');
  const text = await page.evaluate(() => document.body.innerText.toLowerCase());
  assert(!text.includes('password'), 'the deployment page mentions a password');
  await shot(page, 'deployment');
});

await scenario('api-errors', async (page) => {
  await visit(page, '/runs/no-such-run');
  await waitText(page, '.error-box', 'run no-such-run not found');
  await waitText(page, '.error-box', '404 run_not_found');
  await shot(page, 'error-run');
  await visit(page, '/locations/dev_location/jobs/no_such_job');
  await waitText(page, '.error-box', 'job_not_found');
  await visit(page, '/no/such/page');
  await waitText(page, 'h1', 'Page not found');
}, { allow: [/status of 404/] });

await scenario('launcher', async (page) => {
  await visit(page, '/launcher');
  await page.waitForSelector('form.launcher-form');
  await page.click('#coordinator-class-QueuedRunCoordinator');
  await page.type('#max-concurrent', '-5');
  await waitText(page, '#max-concurrent-error', 'expected -1', 10000);
  assert(await page.$eval('#max-concurrent', (e) => e.getAttribute('aria-invalid')) === 'true', 'the field is not marked invalid');
  await shot(page, 'launcher-error');
  await page.$eval('#max-concurrent', (e) => { e.value = ''; });
  await page.type('#max-concurrent', '3');
  await waitText(page, '.launcher-form .validity', 'Valid change', 10000);
  await page.click('#review-save');
  await page.waitForSelector('dialog[open] .diff .add');
  await waitText(page, 'dialog[open] .diff .add', 'max_concurrent_runs: 3');
  await shot(page, 'launcher-diff');
  await confirmDialog(page);
  await page.waitForSelector('table.audit tr[data-action="launcher_config.update"]', { timeout: 10000 });
  await waitText(page, '.kv', 'QueuedRunCoordinator');
  await waitText(page, '.kv', 'max 3 concurrent runs');
  const state = await api('GET', '/api/v1/instance/launcher');
  assert(state.effective.run_coordinator.max_concurrent_runs === 3, 'the change did not reach the server');
  await shot(page, 'launcher');
  // Back to dagster.yaml for whatever runs next.
  await page.click('#reset-override');
  await confirmDialog(page);
  await page.waitForSelector('table.audit tr[data-action="launcher_config.reset"]', { timeout: 10000 });
}, { allow: [/status of 422/] });

await scenario('signin', async (page) => {
  // Authentication on: the UI asks for a token, says when one is wrong, and hides what a viewer cannot do.
  await visit(page, '/runs', AUTH_BASE);
  await page.waitForFunction(() => location.pathname === '/signin', { timeout: 10000 });
  await page.waitForSelector('#token');
  await page.type('#token', 'not-a-token');
  await page.click('form.signin button[type="submit"]');
  await waitText(page, '.error-box', 'not accepted');
  await shot(page, 'signin-error');
  await page.$eval('#token', (e) => { e.value = ''; });
  await page.type('#token', VIEWER_TOKEN);
  await Promise.all([page.waitForFunction(() => location.pathname === '/runs', { timeout: 10000 }), page.click('form.signin button[type="submit"]')]);
  await waitText(page, '.role-badge', 'viewer');
  await page.waitForSelector('#run-summary .count');
  assert(await count(page, '.bulk-bar') === 0, 'a viewer sees bulk actions');
  const nav = await texts(page, '#nav a');
  assert(!nav.includes('Launcher'), `a viewer sees the Launcher page in ${nav.join(', ')}`);
  await shot(page, 'signed-in-viewer');
  await visit(page, '/launcher', AUTH_BASE);
  await waitText(page, '.notice', 'needs the admin role');
}, { allow: [/status of 401/] });

await scenario('theme', async (page) => {
  await visit(page, '/runs');
  await page.waitForSelector('table.runs tbody tr');
  await page.click('.topbar-right .btn.icon');
  const theme = await page.evaluate(() => document.documentElement.dataset.theme);
  assert(theme === 'dark' || theme === 'light', `theme is ${theme}`);
  if (theme !== 'dark') await page.click('.topbar-right .btn.icon');
  await shot(page, 'runs-dark');
  // Narrower (laptop) screen: everything still reachable.
  await page.setViewport({ width: 1024, height: 768 });
  await visit(page, `/runs/${seeded.lif}`);
  await page.waitForSelector('.gantt .bar');
  await shot(page, 'run-laptop');
});

await browser.close();
const failed = results.filter((r) => !r.ok).length;
log(`${results.length - failed} passed, ${failed} failed`);
process.exit(0);
