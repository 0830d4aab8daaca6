// The application shell: navigation, sign-in state, theme, live-connection indicator, and the
// client-side router that loads one page module per route (pages/*.js, each `render(ctx)`).

import { forgetEarlyAnswers, session, whoAmI } from './lib/api.js';
import { h, replace, errorBox } from './lib/dom.js';
import { onState, reconnect } from './lib/live.js';

const ROUTES = [
  { re: /^\/runs$/, page: 'runs' },
  { re: /^\/runs\/([^/]+)$/, page: 'run', params: ['runId'] },
  { re: /^\/jobs$/, page: 'jobs' },
  { re: /^\/locations\/([^/]+)\/jobs\/([^/]+)$/, page: 'jobs', fn: 'renderJob', params: ['location', 'job'] },
  { re: /^\/locations\/([^/]+)\/jobs\/([^/]+)\/launchpad$/, page: 'launchpad', params: ['location', 'job'] },
  { re: /^\/schedules$/, page: 'schedules' },
  { re: /^\/locations\/([^/]+)\/schedules\/([^/]+)$/, page: 'schedules', fn: 'renderSchedule', params: ['location', 'schedule'] },
  { re: /^\/deployment$/, page: 'deployment' },
  { re: /^\/launcher$/, page: 'launcher' },
  { re: /^\/signin$/, page: 'signin' },
];

const NAV = [
  { href: '/runs', label: 'Runs', match: /^\/runs/ },
  { href: '/jobs', label: 'Jobs', match: /^\/(jobs|locations\/[^/]+\/jobs)/ },
  { href: '/schedules', label: 'Schedules', match: /^\/(schedules|locations\/[^/]+\/schedules)/ },
  { href: '/deployment', label: 'Deployment', match: /^\/deployment/ },
  { href: '/launcher', label: 'Launcher', match: /^\/launcher/, role: 'admin' },
];

const main = document.getElementById('main');
let current = null; // {controller, cleanups}
let firstRoute = true;

// ---- theme --------------------------------------------------------------------------------------

function applyTheme(theme) {
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

function effectiveTheme() {
  return document.documentElement.dataset.theme ||
    (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
}

applyTheme(localStorage.getItem('lifdag.theme'));

// ---- header -------------------------------------------------------------------------------------

function renderNav() {
  const path = location.pathname;
  replace(document.getElementById('nav'), h('ul', {},
    NAV.filter((n) => !n.role || !session.role || session.can(n.role)).map((n) =>
      h('li', {}, h('a', { href: n.href, 'aria-current': n.match.test(path) ? 'page' : null }, n.label)))));
}

const liveDot = h('span', { class: 'live-dot', role: 'status', title: 'Live updates' });
onState((s) => {
  liveDot.dataset.state = s;
  liveDot.title = { open: 'Live updates connected', connecting: 'Connecting live updates…',
    closed: 'Live updates disconnected: reconnecting', idle: 'Live updates' }[s];
  liveDot.setAttribute('aria-label', liveDot.title);
});

function renderTopRight() {
  const themeButton = h('button', {
    class: 'btn icon', type: 'button', title: 'Switch light/dark theme',
    'aria-label': `Switch to the ${effectiveTheme() === 'dark' ? 'light' : 'dark'} theme`,
    onClick: () => {
      const next = effectiveTheme() === 'dark' ? 'light' : 'dark';
      localStorage.setItem('lifdag.theme', next);
      applyTheme(next);
      renderTopRight();
    },
  }, effectiveTheme() === 'dark' ? '☀' : '☾');
  const who = session.role
    ? h('span', { class: `role-badge role-${session.role}`, title: session.authEnabled ? `Signed in as ${session.name}` : 'Authentication is off' },
      session.authEnabled ? `${session.name} · ${session.role}` : `${session.role} (no sign-in)`)
    : null;
  const signOut = session.authEnabled && session.token
    ? h('button', {
      class: 'btn small', type: 'button', onClick: () => {
        session.signOut();
        reconnect();
        navigate('/signin');
      },
    }, 'Sign out')
    : null;
  replace(document.getElementById('topbar-right'), liveDot, who, signOut, themeButton);
}

session.listeners.add(() => {
  renderNav();
  renderTopRight();
});

// ---- router -------------------------------------------------------------------------------------

export function navigate(path, { replace: replaceState = false } = {}) {
  if (replaceState) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  route();
}

function match(pathname) {
  for (const r of ROUTES) {
    const m = r.re.exec(pathname);
    if (!m) continue;
    const params = {};
    (r.params || []).forEach((name, i) => { params[name] = decodeURIComponent(m[i + 1]); });
    return { ...r, params };
  }
  return null;
}

async function route() {
  if (current) {
    current.controller.abort();
    for (const fn of current.cleanups) {
      try {
        fn();
      } catch (err) {
        console.warn('cleanup failed', err);
      }
    }
  }
  const controller = new AbortController();
  const cleanups = [];
  current = { controller, cleanups };
  renderNav();
  if (location.pathname === '/' || location.pathname === '') {
    navigate('/runs', { replace: true });
    return;
  }
  const found = match(location.pathname);
  const container = h('div', { class: 'page' });
  replace(main, container);
  if (!firstRoute) {
    main.focus({ preventScroll: true });
    forgetEarlyAnswers(); // they belong to the first page only
  }
  firstRoute = false;
  window.scrollTo(0, 0);
  if (!found) {
    document.title = 'Not found · lifdag';
    replace(container, h('h1', {}, 'Page not found'),
      h('p', {}, 'No page of the lifdag UI lives at ', h('code', {}, location.pathname), '. ',
        h('a', { href: '/runs' }, 'Go to the runs'), '.'));
    return;
  }
  const ctx = {
    container,
    params: found.params,
    query: new URLSearchParams(location.search),
    signal: controller.signal,
    onCleanup: (fn) => cleanups.push(fn),
    navigate,
    setTitle: (t) => { document.title = `${t} · lifdag`; },
  };
  try {
    const module = await import(`./pages/${found.page}.js`);
    if (controller.signal.aborted) return;
    await module[found.fn || 'render'](ctx);
  } catch (err) {
    if (err && err.name === 'AbortError') return;
    if (controller.signal.aborted) return;
    console.warn(err);
    container.appendChild(errorBox(err, 'This page could not be shown'));
  }
}

// Links inside the app navigate without reloading.
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.pathname === '/graphql') return;
  e.preventDefault();
  if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search + url.hash);
});

window.addEventListener('popstate', route);

window.addEventListener('lifdag:unauthorized', () => {
  if (location.pathname !== '/signin')
    navigate(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
});

// Who is signed in, in parallel with the first page's own requests.
session.ready = whoAmI().catch((err) => err);
renderNav();
renderTopRight();
route();
