// Launcher configuration (admins): the run coordinator's limits and DefaultRunLauncher <->
// DockerRunLauncher in a form, checked by the server as you edit (errors next to their fields), a
// diff before saving, and the audit history of every change.

import { del, get, post, put, query, session } from '../lib/api.js';
import { confirmDialog, debounce, errorBox, errorText, h, keyValues, replace, section, time, toast } from '../lib/dom.js';
import { toYaml } from '../lib/yaml.js';
import { diffView } from '../lib/diff.js';

const FIELD_FOR_PATH = [
  [/^run_coordinator\.config\.max_concurrent_runs/, 'max-concurrent'],
  [/^run_coordinator\.config\.dequeue_interval_seconds/, 'dequeue-interval'],
  [/^run_coordinator\.config\.tag_concurrency_limits/, 'tag-limits'],
  [/^run_coordinator\.class/, 'coordinator-class'],
  [/^run_launcher\.config\.image/, 'image'],
  [/^run_launcher\.config\.networks/, 'networks'],
  [/^run_launcher\.config\.network/, 'network'],
  [/^run_launcher\.config\.env_vars/, 'env-vars'],
  [/^run_launcher\.config\.container_kwargs/, 'container-kwargs'],
  [/^run_launcher\.class/, 'launcher-class'],
];

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function field(id, label, input, hint) {
  input.id = id;
  input.setAttribute('aria-describedby', `${id}-error${hint ? ` ${id}-hint` : ''}`);
  return h('div', { class: 'field', 'data-field': id }, h('label', { for: id }, label), input,
    hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null,
    h('span', { class: 'field-error', id: `${id}-error`, role: 'alert' }));
}

function radios(name, options, value, onChange) {
  return h('div', { class: 'row', role: 'radiogroup', 'aria-label': name },
    options.map(([v, label]) => {
      const input = h('input', { type: 'radio', name, value: v, checked: v === value, id: `${name}-${v}` });
      input.addEventListener('change', () => onChange(v));
      return h('label', { for: `${name}-${v}`, class: 'row' }, input, ` ${label}`);
    }));
}

export async function render(ctx) {
  const { container, signal } = ctx;
  ctx.setTitle('Launcher configuration');
  replace(container, h('p', { class: 'loading' }, 'Loading the launcher configuration…'));
  await session.ready;
  if (signal.aborted) return;
  if (!session.can('admin')) {
    replace(container, h('h1', {}, 'Launcher configuration'),
      h('div', { class: 'notice' }, `Changing the run coordinator and run launcher needs the admin role; you are signed in as ${session.role || 'nobody'}.`));
    return;
  }
  let state;
  let audit;
  try {
    [state, audit] = await Promise.all([get('/api/v1/instance/launcher', { signal }), get(`/api/v1/instance/audit${query({ limit: 50 })}`, { signal })]);
  } catch (err) {
    if (err.name === 'AbortError') return;
    replace(container, h('h1', {}, 'Launcher configuration'), errorBox(err, 'The launcher configuration could not be read'));
    return;
  }
  if (signal.aborted) return;

  const original = { run_coordinator: state.run_coordinator, run_launcher: state.run_launcher };
  const coord = original.run_coordinator || { class: 'DefaultRunCoordinator' };
  const launcher = original.run_launcher || { class: 'DefaultRunLauncher' };
  const cc = coord.config || {};
  const lc = launcher.config || {};
  let coordinatorClass = coord.class;
  let launcherClass = launcher.class;

  // ---- the form's inputs ---------------------------------------------------------------------------
  const maxConcurrent = h('input', { type: 'number', min: -1, step: 1, value: cc.max_concurrent_runs ?? '', placeholder: '10' });
  const dequeueInterval = h('input', { type: 'number', min: 0, step: 'any', value: cc.dequeue_interval_seconds ?? '', placeholder: '5' });
  const tagLimits = h('div', { class: 'tag-rows', id: 'tag-limits', tabindex: -1 });
  const addLimit = (l = {}) => {
    const n = tagLimits.children.length + 1;
    const key = h('input', { class: 'limit-key', 'aria-label': `Limit ${n} tag key`, placeholder: 'tag key', value: l.key || '' });
    const value = h('input', { class: 'limit-value', 'aria-label': `Limit ${n} tag value`, placeholder: 'any value',
      value: typeof l.value === 'string' ? l.value : '' });
    const limit = h('input', { class: 'limit-limit', type: 'number', min: 0, 'aria-label': `Limit ${n} runs at once`, value: l.limit ?? 1, size: 5 });
    const row = h('div', { class: 'row' }, key, value, limit,
      h('button', { class: 'btn small', type: 'button', 'aria-label': `Remove limit ${n}`, onClick: () => { row.remove(); changed(); } }, 'Remove'));
    tagLimits.appendChild(row);
  };
  for (const l of cc.tag_concurrency_limits || []) addLimit(l);
  const image = h('input', { value: lc.image || '', placeholder: 'e.g. lif/dagster-code-location:latest', size: 40 });
  const network = h('input', { value: lc.network || '', placeholder: 'e.g. lif_default', size: 30 });
  const networks = h('input', { value: (lc.networks || []).join(', '), placeholder: 'net-a, net-b', size: 30 });
  const envVars = h('textarea', { class: 'code', rows: 4, cols: 50, spellcheck: 'false' });
  envVars.value = (lc.env_vars || []).join('\n');
  const kwargs = h('textarea', { class: 'code', rows: 5, cols: 50, spellcheck: 'false' });
  kwargs.value = lc.container_kwargs ? JSON.stringify(lc.container_kwargs, null, 2) : '';

  const queuedFields = h('div', {},
    field('max-concurrent', 'Max concurrent runs', maxConcurrent, '-1: no limit; empty: the default (10)'),
    field('dequeue-interval', 'Dequeue interval (seconds)', dequeueInterval, 'How often the daemon looks at the queue (it also wakes on new runs)'),
    h('div', { class: 'field' }, h('span', { class: 'label' }, h('strong', {}, 'Tag concurrency limits')),
      h('span', { class: 'hint' }, 'At most N runs at once with this tag (value empty: any value)'), tagLimits,
      h('span', { class: 'field-error', id: 'tag-limits-error', role: 'alert' }),
      h('div', {}, h('button', { class: 'btn small', type: 'button', onClick: () => { addLimit(); changed(); } }, 'Add limit'))));
  const dockerFields = h('div', {},
    field('image', 'Image', image, 'Empty: the code location\'s DAGSTER_CURRENT_IMAGE'),
    field('network', 'Network', network),
    field('networks', 'More networks', networks, 'Comma-separated'),
    field('env-vars', 'Environment variables', envVars, 'One per line: NAME (passed from the launcher\'s environment) or NAME=value; secret values show as ***'),
    field('container-kwargs', 'Container kwargs (JSON)', kwargs, 'docker-py style, e.g. {"volumes": ["/data:/data:ro"]}'));

  const coordinatorSection = () => {
    if (coordinatorClass !== 'QueuedRunCoordinator') {
      return coordinatorClass === coord.class ? coord : { class: coordinatorClass };
    }
    const config = coord.class === 'QueuedRunCoordinator' ? { ...cc } : {};
    const setNum = (key, input, integer) => {
      if (input.value.trim() === '') delete config[key];
      else config[key] = integer ? Number.parseInt(input.value, 10) : Number(input.value);
    };
    setNum('max_concurrent_runs', maxConcurrent, true);
    setNum('dequeue_interval_seconds', dequeueInterval, false);
    const limits = [...tagLimits.children].map((row) => {
      const l = { key: row.querySelector('.limit-key').value.trim(), limit: Number.parseInt(row.querySelector('.limit-limit').value || '0', 10) };
      const v = row.querySelector('.limit-value').value;
      if (v) l.value = v;
      return l;
    }).filter((l) => l.key);
    if (limits.length) config.tag_concurrency_limits = limits;
    else delete config.tag_concurrency_limits;
    const out = { ...(coord.class === 'QueuedRunCoordinator' ? coord : {}), class: 'QueuedRunCoordinator' };
    if (Object.keys(config).length) out.config = config;
    else delete out.config;
    return out;
  };

  let localError = null; // {id, message}: a problem found before asking the server
  const launcherSection = () => {
    localError = null;
    if (launcherClass !== 'DockerRunLauncher') return launcherClass === launcher.class ? launcher : { class: launcherClass };
    const config = launcher.class === 'DockerRunLauncher' ? { ...lc } : {};
    const setText = (key, value) => {
      if (value) config[key] = value;
      else delete config[key];
    };
    setText('image', image.value.trim());
    setText('network', network.value.trim());
    const nets = networks.value.split(',').map((s) => s.trim()).filter(Boolean);
    if (nets.length) config.networks = nets;
    else delete config.networks;
    const vars = envVars.value.split('\n').map((s) => s.trim()).filter(Boolean);
    if (vars.length) config.env_vars = vars;
    else delete config.env_vars;
    if (kwargs.value.trim()) {
      try {
        const parsed = JSON.parse(kwargs.value);
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('expected a JSON object');
        config.container_kwargs = parsed;
      } catch (err) {
        localError = { id: 'container-kwargs', message: `Not a JSON object: ${err.message}` };
      }
    } else {
      delete config.container_kwargs;
    }
    const out = { ...(launcher.class === 'DockerRunLauncher' ? launcher : {}), class: 'DockerRunLauncher' };
    if (Object.keys(config).length) out.config = config;
    else delete out.config;
    return out;
  };

  const change = () => {
    const next = { run_coordinator: coordinatorSection(), run_launcher: launcherSection() };
    const body = {};
    for (const key of Object.keys(next)) if (!same(next[key], original[key])) body[key] = next[key];
    return { next, body };
  };

  // ---- validation as you edit ----------------------------------------------------------------------
  const generalError = h('div', { 'aria-live': 'polite' });
  const checkState = h('span', { class: 'validity', role: 'status', 'aria-live': 'polite' });
  const saveButton = h('button', { class: 'btn primary', type: 'button', id: 'review-save', disabled: true }, 'Review and save…');
  const clearErrors = () => {
    for (const el of container.querySelectorAll('.field-error[id]')) el.textContent = '';
    for (const el of container.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
    replace(generalError);
  };
  const showError = (path, message) => {
    const hit = FIELD_FOR_PATH.find(([re]) => re.test(path || ''));
    const target = hit && container.querySelector(`#${hit[1]}-error`);
    if (target && !target.closest('[hidden]')) {
      target.textContent = message;
      const input = container.querySelector(`#${hit[1]}`);
      if (input) input.setAttribute('aria-invalid', 'true');
    } else {
      replace(generalError, errorBox({ message }, 'This configuration is not valid'));
    }
  };
  let sequence = 0;
  let valid = true;
  const validate = async () => {
    const mine = ++sequence;
    const { body } = change();
    clearErrors();
    if (localError) {
      valid = false;
      showError(`run_launcher.config.container_kwargs`, localError.message);
      checkState.className = 'validity bad';
      checkState.textContent = '✗ Fix the marked field';
      saveButton.disabled = true;
      return;
    }
    if (!Object.keys(body).length) {
      valid = true;
      checkState.className = 'validity';
      checkState.textContent = 'No changes';
      saveButton.disabled = true;
      return;
    }
    checkState.className = 'validity';
    checkState.textContent = 'Checking…';
    try {
      await post('/api/v1/instance/launcher/validate', body, { signal });
      if (mine !== sequence) return;
      valid = true;
      checkState.className = 'validity ok';
      checkState.textContent = '✓ Valid change';
      saveButton.disabled = false;
    } catch (err) {
      if (err.name === 'AbortError' || mine !== sequence) return;
      valid = false;
      saveButton.disabled = true;
      checkState.className = 'validity bad';
      checkState.textContent = '✗ Not valid';
      if (err.code === 'invalid_launcher_config') showError(err.details.path, err.message.replace(/^\S+:\d+:\d+: /, ''));
      else replace(generalError, errorBox(err, 'The change could not be checked'));
    }
  };
  const changed = debounce(validate, 350);
  ctx.onCleanup(changed.cancel);

  const coordinatorBox = h('fieldset', {}, h('legend', {}, 'Run coordinator'),
    radios('coordinator-class', [['DefaultRunCoordinator', 'Default (launch at once)'], ['QueuedRunCoordinator', 'Queued (limits)']], coordinatorClass, (v) => {
      coordinatorClass = v;
      queuedFields.hidden = v !== 'QueuedRunCoordinator';
      changed();
    }),
    h('span', { class: 'field-error', id: 'coordinator-class-error', role: 'alert' }),
    queuedFields);
  queuedFields.hidden = coordinatorClass !== 'QueuedRunCoordinator';
  const launcherBox = h('fieldset', {}, h('legend', {}, 'Run launcher'),
    radios('launcher-class', [['DefaultRunLauncher', 'Default (a process per run on the code location)'], ['DockerRunLauncher', 'Docker (a container per run)']], launcherClass, (v) => {
      launcherClass = v;
      dockerFields.hidden = v !== 'DockerRunLauncher';
      changed();
    }),
    h('span', { class: 'field-error', id: 'launcher-class-error', role: 'alert' }),
    dockerFields);
  dockerFields.hidden = launcherClass !== 'DockerRunLauncher';
  const form = h('form', { class: 'launcher-form', 'aria-label': 'Launcher configuration', onSubmit: (e) => e.preventDefault() },
    coordinatorBox, launcherBox, generalError,
    h('div', { class: 'row' }, saveButton, checkState,
      state.override_exists ? h('button', { class: 'btn danger', type: 'button', id: 'reset-override', onClick: () => reset() }, 'Use dagster.yaml again') : null));
  form.addEventListener('input', changed);
  form.addEventListener('change', changed);

  // ---- save with a diff -----------------------------------------------------------------------------
  saveButton.addEventListener('click', async () => {
    await validate();
    if (!valid) return;
    const { next, body } = change();
    if (!Object.keys(body).length) return;
    const ok = await confirmDialog('Save this change to the launcher configuration?', {
      confirm: 'Save',
      body: h('div', {}, h('p', { class: 'muted' }, `Written to ${state.override_file}; the daemon follows without a restart.`),
        diffView(toYaml(original), toYaml(next), 'Changes to the launcher configuration')),
    });
    if (!ok) return;
    saveButton.disabled = true;
    try {
      await put('/api/v1/instance/launcher', body, { signal });
      toast('Launcher configuration saved.');
      render(ctx);
    } catch (err) {
      if (err.name === 'AbortError') return;
      saveButton.disabled = false;
      if (err.code === 'invalid_launcher_config') showError(err.details.path, err.message);
      else replace(generalError, errorBox(err, 'The change was not saved'));
    }
  });
  async function reset() {
    if (!await confirmDialog('Delete the override file so dagster.yaml\'s run_coordinator and run_launcher apply again?', { confirm: 'Use dagster.yaml', danger: true })) return;
    try {
      await del('/api/v1/instance/launcher');
      toast('The override was removed: dagster.yaml applies.');
      render(ctx);
    } catch (err) {
      replace(generalError, errorBox(err, 'The override could not be removed'));
    }
  }

  // ---- summary and audit ------------------------------------------------------------------------------
  const eff = state.effective || {};
  const summary = keyValues([
    ['Coordinator in force', h('span', {}, h('strong', {}, eff.run_coordinator && eff.run_coordinator.class),
      eff.run_coordinator && eff.run_coordinator.max_concurrent_runs !== undefined ? ` · max ${eff.run_coordinator.max_concurrent_runs} concurrent runs` : '',
      h('span', { class: 'muted' }, ` (from ${state.sources.run_coordinator})`))],
    ['Launcher in force', h('span', {}, h('strong', {}, eff.run_launcher && eff.run_launcher.class),
      eff.run_launcher && eff.run_launcher.image ? ` · image ${eff.run_launcher.image}` : '',
      h('span', { class: 'muted' }, ` (from ${state.sources.run_launcher})`))],
    ['dagster.yaml', state.dagster_yaml ? h('code', {}, state.dagster_yaml) : h('span', { class: 'muted' }, 'none')],
    ['Override file', h('span', {}, h('code', {}, state.override_file), state.override_exists ? '' : h('span', { class: 'muted' }, ' (not written yet)'))],
  ]);
  const auditRows = audit.entries.map((e) => h('tr', { 'data-audit-id': e.id, 'data-action': e.action },
    h('td', {}, time(e.timestamp)), h('td', {}, e.actor), h('td', {}, h('code', {}, e.action)),
    h('td', {}, e.before || e.after ? h('details', {}, h('summary', {}, 'Show the change'), diffView(toYaml(e.before || {}), toYaml(e.after || {}), `Change ${e.id}`)) : h('span', { class: 'muted' }, e.target))));
  replace(container,
    h('div', { class: 'page-header' }, h('div', {}, h('h1', {}, 'Launcher configuration'),
      h('p', { class: 'subtitle' }, 'run_coordinator and run_launcher, as in dagster.yaml. Secrets show as *** and are kept when sent back.'))),
    section('In force', summary),
    section('Change', form),
    section('Audit history', auditRows.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table audit', 'aria-label': 'Audit history' },
      h('thead', {}, h('tr', {}, ['When', 'Who', 'Action', 'Change'].map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, auditRows)))
      : h('p', { class: 'empty' }, 'No change has been made through the API yet.')));
  validate();
}
