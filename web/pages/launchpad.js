// Launchpad: a job's run config in YAML, scaffolded from its schema, validated by the code location
// as you type (errors at their paths and lines), tags, and a launch that opens the new run.

import { enc, get, post, session } from '../lib/api.js';
import { debounce, errorBox, errorText, h, replace, section, toast } from '../lib/dom.js';
import { lineOfPath, toYaml } from '../lib/yaml.js';
import { schemaTree } from '../components/schema.js';

function starterConfig(skeleton) {
  // The ops' and resources' config (what a user edits); execution and loggers keep their defaults.
  const out = {};
  for (const key of ['ops', 'resources']) {
    const v = skeleton && skeleton[key];
    if (v && typeof v === 'object' && Object.keys(v).length) {
      const trimmed = {};
      for (const [name, section] of Object.entries(v)) {
        if (section && section.config !== null && section.config !== undefined) trimmed[name] = section;
      }
      if (Object.keys(trimmed).length) out[key] = trimmed;
    }
  }
  return out;
}

export async function render(ctx) {
  const { container, signal, params } = ctx;
  const base = `/api/v1/locations/${enc(params.location)}/jobs/${enc(params.job)}`;
  ctx.setTitle(`Launchpad · ${params.job}`);
  replace(container, h('p', { class: 'loading' }, 'Loading the job…'));
  let job;
  try {
    [job] = await Promise.all([get(base, { signal }), session.ready]);
  } catch (err) {
    if (err.name === 'AbortError') return;
    replace(container, h('h1', {}, `Launchpad · ${params.job}`), errorBox(err, 'The job could not be loaded'));
    return;
  }
  if (signal.aborted) return;
  if (!session.can('launcher')) {
    replace(container, h('h1', {}, `Launchpad · ${job.name}`),
      h('div', { class: 'notice' }, `Launching runs needs the launcher role; you are signed in as ${session.role}.`));
    return;
  }

  let prefill = null;
  try {
    prefill = JSON.parse(sessionStorage.getItem('lifdag.launchpad.prefill') || 'null');
  } catch {
    prefill = null;
  }
  sessionStorage.removeItem('lifdag.launchpad.prefill');
  if (prefill && prefill.job !== job.name) prefill = null;

  // ---- editor -------------------------------------------------------------------------------------
  const textarea = h('textarea', {
    id: 'run-config-editor', class: 'code', spellcheck: 'false', autocomplete: 'off', rows: 24, wrap: 'off',
    'aria-describedby': 'config-status', 'aria-label': 'Run config (YAML)',
  });
  textarea.value = prefill ? prefill.yaml : toYaml(starterConfig(job.configSkeleton));
  const gutter = h('div', { class: 'gutter', 'aria-hidden': 'true' });
  const status = h('div', { id: 'config-status', class: 'validity', role: 'status', 'aria-live': 'polite' }, 'Not checked yet');
  const violationList = h('ul', { class: 'violations', id: 'violations', 'aria-label': 'Config errors' });
  let badLines = new Map(); // line -> messages
  let lastResult = null; // {text, result}

  const drawGutter = () => {
    const count = textarea.value.split('\n').length;
    const frag = document.createDocumentFragment();
    for (let i = 1; i <= count; i++) {
      const bad = badLines.get(i);
      frag.appendChild(bad ? h('span', { class: 'bad', title: bad.join('\n') }, `● ${i}`) : document.createTextNode(String(i)));
      frag.appendChild(document.createTextNode('\n'));
    }
    replace(gutter, frag);
    gutter.scrollTop = textarea.scrollTop;
  };
  textarea.addEventListener('scroll', () => { gutter.scrollTop = textarea.scrollTop; });

  const goToLine = (line) => {
    const lines = textarea.value.split('\n');
    let offset = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
    textarea.focus();
    textarea.setSelectionRange(offset, offset + (lines[line - 1] || '').length);
    const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
    textarea.scrollTop = Math.max(0, (line - 3) * lineHeight);
  };

  const showResult = (result, text) => {
    badLines = new Map();
    const items = [];
    for (const v of result.violations) {
      const line = result.yamlError ? result.yamlError.line || 1 : lineOfPath(text, v.path);
      badLines.set(line, [...(badLines.get(line) || []), v.message]);
      items.push(h('li', { 'data-path': v.path || '' },
        v.path ? h('code', { class: 'violation-path' }, v.path) : h('strong', {}, 'YAML'), ': ', v.message, ' ',
        h('button', { type: 'button', onClick: () => goToLine(line) }, `(line ${line})`)));
    }
    replace(violationList, items);
    status.className = `validity ${result.valid ? 'ok' : 'bad'}`;
    status.textContent = result.valid ? '✓ Valid config' : `✗ ${result.violations.length} problem${result.violations.length === 1 ? '' : 's'}`;
    textarea.setAttribute('aria-invalid', String(!result.valid));
    drawGutter();
  };

  let sequence = 0;
  const validate = async () => {
    const text = textarea.value;
    if (lastResult && lastResult.text === text) return lastResult.result;
    const mine = ++sequence;
    status.className = 'validity';
    status.textContent = 'Checking…';
    const result = await post(`${base}/validate`, { runConfigYaml: text }, { signal });
    if (mine === sequence) {
      lastResult = { text, result };
      showResult(result, text);
    }
    return result;
  };
  const validateSoon = debounce(() => validate().catch((err) => {
    if (err.name === 'AbortError') return;
    status.className = 'validity bad';
    status.textContent = `Could not check the config: ${errorText(err)}`;
  }), 350);
  ctx.onCleanup(validateSoon.cancel);
  textarea.addEventListener('input', () => {
    drawGutter();
    validateSoon();
  });
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      launch();
    }
  });

  // ---- tags ---------------------------------------------------------------------------------------
  const tagRows = h('div', { class: 'tag-rows' });
  const addTagRow = (key = '', value = '') => {
    const n = tagRows.children.length + 1;
    const k = h('input', { 'aria-label': `Tag ${n} key`, placeholder: 'key', value: key, class: 'tag-key' });
    const v = h('input', { 'aria-label': `Tag ${n} value`, placeholder: 'value', value, class: 'tag-value' });
    const row = h('div', { class: 'row' }, k, v,
      h('button', { class: 'btn small', type: 'button', 'aria-label': `Remove tag ${n}`, onClick: () => row.remove() }, 'Remove'));
    tagRows.appendChild(row);
  };
  for (const [k, v] of Object.entries((prefill && prefill.tags) || {})) {
    if (!k.startsWith('dagster/') && !k.startsWith('lifdag/')) addTagRow(k, v);
  }
  const tags = () => {
    const out = {};
    for (const row of tagRows.children) {
      const k = row.querySelector('.tag-key').value.trim();
      if (k) out[k] = row.querySelector('.tag-value').value;
    }
    return out;
  };

  // ---- launch -------------------------------------------------------------------------------------
  const launchError = h('div', { 'aria-live': 'assertive' });
  const launchButton = h('button', { class: 'btn primary', type: 'button', id: 'launch' }, 'Launch run');
  async function launch() {
    launchButton.disabled = true;
    replace(launchError);
    try {
      const result = await validate();
      if (!result.valid) {
        toast('Fix the config first: see the errors under the editor.', 'error');
        return;
      }
      const r = await post('/api/v1/runs', { job: job.name, location: job.locationName, runConfig: result.runConfig || {}, tags: tags() }, { signal });
      toast(`Launched run ${r.run.runId.slice(0, 8)}.`);
      ctx.navigate(`/runs/${enc(r.run.runId)}`);
    } catch (err) {
      if (err.name === 'AbortError') return;
      replace(launchError, errorBox(err, 'The run was not launched'));
    } finally {
      launchButton.disabled = false;
    }
  }
  launchButton.addEventListener('click', launch);

  const scaffold = h('button', { class: 'btn small', type: 'button', title: 'Replace the text with every field and its default' }, 'Scaffold all defaults');
  scaffold.addEventListener('click', () => {
    textarea.value = toYaml(job.configSkeleton || {});
    drawGutter();
    validateSoon();
  });
  const starter = h('button', { class: 'btn small', type: 'button', title: 'Only the ops\' and resources\' config' }, 'Reset to ops config');
  starter.addEventListener('click', () => {
    textarea.value = toYaml(starterConfig(job.configSkeleton));
    drawGutter();
    validateSoon();
  });

  replace(container,
    h('div', { class: 'page-header' },
      h('div', {}, h('h1', {}, 'Launchpad · ', h('a', { href: `/locations/${enc(job.locationName)}/jobs/${enc(job.name)}` }, job.name)),
        h('p', { class: 'subtitle' }, job.description || '', ` · ${job.locationName}`)),
      h('div', { class: 'actions' }, launchButton)),
    h('div', { class: 'grid-2' },
      h('div', {},
        section('Run config',
          h('div', { class: 'row' }, status, h('span', { class: 'muted' }, 'YAML, checked by the code location as you type · Ctrl+Enter launches'), scaffold, starter),
          h('div', { class: 'editor' }, gutter, textarea),
          violationList),
        section('Tags', tagRows, h('button', { class: 'btn small', type: 'button', onClick: () => addTagRow() }, 'Add tag')),
        launchError),
      section('Config schema', schemaTree(job.configSchema))));
  drawGutter();
  validate().catch((err) => {
    if (err.name === 'AbortError') return;
    status.className = 'validity bad';
    status.textContent = `Could not check the config: ${errorText(err)}`;
  });
}
