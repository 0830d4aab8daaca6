// Runs before the application's modules are loaded and compiled (it imports nothing): starts the
// first page's API requests at once, and api.js takes their answers instead of asking again.
// Only requests that need nothing from the page are started here: who is signed in, and the runs
// page's unfiltered first page and counts.

const token = sessionStorage.getItem('lifdag.token') || localStorage.getItem('lifdag.token') || '';
const headers = { accept: 'application/json' };
if (token) headers.authorization = `Bearer ${token}`;
const early = new Map();
const start = (path) => early.set(path, fetch(path, { headers }).then(
  async (r) => ({ status: r.status, statusText: r.statusText, text: await r.text() }),
  () => null)); // a network error: api.js asks again and reports it

start('/api/v1/auth/whoami');
if ((location.pathname === '/runs' || location.pathname === '/') && !location.search) {
  start('/api/v1/runs?limit=50');
  start('/api/v1/runs/counts');
}
window.lifdagEarly = { token, answers: early };
