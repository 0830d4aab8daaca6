// Sign-in with an API token (when dagster.yaml turns authentication on); the role is shown after.

import { get, session } from '../lib/api.js';
import { errorBox, h, replace } from '../lib/dom.js';
import { reconnect } from '../lib/live.js';

export async function render(ctx) {
  const { container } = ctx;
  ctx.setTitle('Sign in');
  const next = ctx.query.get('next') || '/runs';
  const safeNext = next.startsWith('/') && !next.startsWith('//') ? next : '/runs';
  const token = h('input', { id: 'token', type: 'password', autocomplete: 'current-password', required: true, size: 40 });
  const remember = h('input', { id: 'remember', type: 'checkbox' });
  const message = h('div', { 'aria-live': 'assertive' });
  const submit = h('button', { class: 'btn primary', type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'panel signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to lifdag'),
    h('p', { class: 'muted' }, 'Paste an API token (an administrator makes one with ', h('code', {}, 'lifdag token create --role viewer'), ').'),
    h('div', { class: 'field' }, h('label', { for: 'token' }, 'API token'), token),
    h('label', { class: 'row' }, remember, ' Remember on this computer'),
    message,
    h('div', { class: 'row' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    replace(message);
    const previous = session.token;
    session.token = token.value.trim();
    try {
      const who = await get('/api/v1/auth/whoami');
      session.setToken(session.token, remember.checked);
      session.update(who);
      reconnect();
      ctx.navigate(safeNext, { replace: true });
    } catch (err) {
      session.token = previous;
      replace(message, errorBox(err, err.status === 401 ? 'That token was not accepted' : 'Signing in failed'));
      token.setAttribute('aria-invalid', 'true');
      token.focus();
    } finally {
      submit.disabled = false;
    }
  });
  const who = await session.ready;
  if (who && !(who instanceof Error) && !who.authEnabled) {
    replace(container, h('div', { class: 'panel signin' }, h('h1', {}, 'No sign-in needed'),
      h('p', {}, 'Authentication is off on this instance: everyone acts as an admin. Turn it on with ',
        h('code', {}, 'lifdag: {auth: {enabled: true}}'), ' in dagster.yaml.'),
      h('p', {}, h('a', { class: 'btn', href: '/runs' }, 'Go to the runs'))));
    return;
  }
  replace(container, form);
  token.focus();
}
