// The live channel (WebSocket /api/v1/ws, protocol in modules/webserver/README.md): one connection
// for the whole page, subscriptions that survive reconnects (event subscriptions resume from their
// cursor, so nothing is missed or shown twice), and a connection state for the header.

import { session } from './api.js';

let socket = null;
let state = 'idle'; // idle | connecting | open | closed
let retryMs = 500;
let retryTimer = 0;
let nextId = 1;
const subscriptions = new Map(); // id -> {message(), handle(msg)}
const stateListeners = new Set();

function setState(s) {
  state = s;
  for (const fn of stateListeners) fn(s);
}

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function connect() {
  if (socket || subscriptions.size === 0) return;
  setState('connecting');
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/ws`;
  const ws = new WebSocket(url);
  socket = ws;
  ws.addEventListener('open', () => {
    retryMs = 500;
    setState('open');
    // Browsers cannot send an Authorization header on a WebSocket: the token is the first message.
    if (session.authEnabled && session.token) send({ type: 'auth', token: session.token });
    for (const [id, sub] of subscriptions) send({ ...sub.message(), id });
  });
  ws.addEventListener('message', (e) => {
    let msg;
    try {
      msg = JSON.parse(e.data);
    } catch {
      return;
    }
    const sub = msg.id ? subscriptions.get(msg.id) : null;
    if (sub) sub.handle(msg);
  });
  ws.addEventListener('close', () => {
    socket = null;
    if (subscriptions.size === 0) {
      setState('idle');
      return;
    }
    setState('closed');
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 10000);
  });
}

function add(sub) {
  const id = `s${nextId++}`;
  subscriptions.set(id, sub);
  if (!socket) connect();
  else send({ ...sub.message(), id });
  return () => {
    if (!subscriptions.delete(id)) return;
    send({ type: 'unsubscribe', id });
    if (subscriptions.size === 0 && socket) {
      socket.close(1000, 'no subscriptions');
      socket = null;
      setState('idle');
    }
  };
}

// A run's events after storage id `after`; `onEvents(events)` for each batch, in order.
export function subscribeEvents(runId, after, onEvents, onError) {
  let cursor = after;
  return add({
    message: () => ({ type: 'subscribe', channel: 'events', runId, after: cursor }),
    handle(msg) {
      if (msg.type === 'events') {
        const fresh = msg.events.filter((e) => e.storageId > cursor);
        cursor = Math.max(cursor, msg.cursor || 0);
        if (fresh.length) onEvents(fresh);
      } else if (msg.type === 'error' && onError) {
        onError(msg.error);
      }
    },
  });
}

// Status changes of the given runs (all runs when `runIds` is null): onRun(run), onDeleted(runId).
export function subscribeRuns(runIds, onRun, onDeleted) {
  return add({
    message: () => (runIds ? { type: 'subscribe', channel: 'runs', runIds } : { type: 'subscribe', channel: 'runs' }),
    handle(msg) {
      if (msg.type === 'run') onRun(msg.run);
      else if (msg.type === 'run_deleted' && onDeleted) onDeleted(msg.runId);
    },
  });
}

export function onState(fn) {
  stateListeners.add(fn);
  fn(state);
  return () => stateListeners.delete(fn);
}

// After signing in or out: a fresh connection with the new credentials.
export function reconnect() {
  if (socket) socket.close(1000, 'credentials changed');
}
