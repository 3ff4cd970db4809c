// q dashboard page: polls the JSON API every 2 seconds and renders with the DOM (textContent only, never HTML).
'use strict';
/* global AbortController, Node, URLSearchParams, clearTimeout, confirm, document, fetch, location, sessionStorage, setInterval, setTimeout, uPlot, window -- a browser script */

const POLL_MS = 2000;
const PAGE_SIZE = 50;
const TOKEN_KEY = 'q-dashboard-token';

const $ = (id) => document.getElementById(id);
const state = {
  actionsEnabled: false,
  eventCount: -1,
  tasksQuery: null,
  tasksEventCount: -1,
  offset: 0,
  chart: null,
  workers: [],
  taskTypes: [],
  timer: null,
};

// ---- helpers ----------------------------------------------------------------------------------------------------

async function api(path, options = {}) {
  const headers = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (options.method === 'POST' && token) headers.authorization = `Bearer ${token}`;
  const signal = options.method === 'POST' ? undefined : polling?.signal;
  const res = await fetch(path, { method: options.method ?? 'GET', headers, signal, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const error = new Error(body.message ?? `${res.status} ${res.statusText}`);
    error.status = res.status;
    throw error;
  }
  return body;
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const cell of cells) tr.append(cell instanceof Node ? cell : el('td', cell ?? '—'));
  return tr;
}

function td(content, className) {
  const cell = el('td', undefined, className);
  if (content instanceof Node) cell.append(content);
  else cell.textContent = content === null || content === undefined ? '—' : String(content);
  return cell;
}

function time(seconds) {
  if (typeof seconds !== 'number') return '—';
  return new Date(seconds * 1000).toLocaleTimeString();
}

function bytes(n) {
  return `${(n / 1024 / 1024).toFixed(0)} MB`;
}

function flash(message, isError = false) {
  const node = $('flash');
  node.textContent = message;
  node.className = isError ? 'error' : '';
}

function replaceRows(tbody, rows) {
  tbody.replaceChildren(...rows);
}

function fillSelect(select, values, label) {
  const current = select.value;
  const options = [el('option', label)];
  options[0].value = '';
  for (const value of values) {
    const option = el('option', value);
    option.value = value;
    options.push(option);
  }
  select.replaceChildren(...options);
  select.value = values.includes(current) ? current : '';
}

// ---- actions ----------------------------------------------------------------------------------------------------

async function act(description, path, body) {
  if (!sessionStorage.getItem(TOKEN_KEY)) {
    flash('Enter the dashboard token first (top right).', true);
    return;
  }
  try {
    const result = await api(path, { method: 'POST', body });
    const replies = (result.replies ?? []).map((reply) => Object.entries(reply).map(([node, value]) => `${node}: ${JSON.stringify(value)}`).join('; '));
    flash(`${description}: ${replies.length > 0 ? replies.join(' | ') : 'sent'}`);
    void refresh(true);
  } catch (error) {
    if (error.status === 401) sessionStorage.removeItem(TOKEN_KEY);
    flash(`${description} failed: ${error.message}`, true);
    showTokenState();
  }
}

function button(label, onClick, name) {
  const node = el('button', label);
  node.type = 'button';
  if (name) node.name = name;
  node.addEventListener('click', onClick);
  return node;
}

function showTokenState() {
  $('token-state').textContent = sessionStorage.getItem(TOKEN_KEY) ? 'token set' : 'no token';
}

function showActions() {
  $('token-form').hidden = !state.actionsEnabled;
  for (const node of document.querySelectorAll('.actions-only')) node.hidden = !state.actionsEnabled;
  for (const node of document.querySelectorAll('.actions-col')) node.hidden = !state.actionsEnabled;
}

// ---- views ------------------------------------------------------------------------------------------------------

function currentRoute() {
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  if (parts[0] === 'tasks' && parts[1]) return { view: 'task', id: decodeURIComponent(parts.slice(1).join('/')) };
  if (parts[0] === 'tasks' || parts[0] === 'queues') return { view: parts[0] };
  return { view: 'workers' };
}

async function renderSummary() {
  const summary = await api('/api/summary');
  if (summary.actionsEnabled !== state.actionsEnabled) {
    state.actionsEnabled = summary.actionsEnabled;
    showActions();
  }
  state.eventCount = summary.counters.eventCount;
  const states = Object.entries(summary.tasks.byState).map(([name, n]) => `${name} ${n}`).join(', ');
  $('summary').textContent =
    `${summary.workers.online} of ${summary.workers.known} workers online · ${summary.tasks.inMemory} tasks (${states || 'none'}) · ` +
    `${summary.counters.eventCount} events · server ${bytes(summary.memory.rss)}`;
}

async function renderWorkers() {
  const [{ workers }, rates] = await Promise.all([api('/api/workers'), api('/api/rates?seconds=300')]);
  state.workers = workers;
  fillSelect($('filter-worker'), workers.map((w) => w.hostname), 'any worker');
  fillSelect($('rl-worker'), workers.map((w) => w.hostname), 'all');
  const rows = workers.map((worker) => {
    const tr = row([
      td(worker.hostname, 'mono'),
      td(worker.status, `status-${worker.status}`),
      td(worker.active),
      td(worker.processed),
      td(worker.pool === null ? null : `${worker.pool.maxConcurrency ?? '?'} (${worker.pool.processes} proc)`),
      td(worker.queues === null ? null : worker.queues.join(', ')),
      td(Array.isArray(worker.loadavg) ? worker.loadavg.map((n) => n.toFixed(2)).join(' ') : null),
      td([worker.swIdent, worker.swVer].filter(Boolean).join(' ') || null),
    ]);
    tr.dataset.hostname = worker.hostname;
    tr.dataset.status = worker.status;
    if (worker.pool !== null) tr.dataset.pool = String(worker.pool.maxConcurrency);
    if (state.actionsEnabled) {
      const cell = el('td', undefined, 'actions-col');
      const target = encodeURIComponent(worker.hostname);
      cell.append(
        button('+1', () => act(`pool grow ${worker.hostname}`, `/api/workers/${target}/pool/grow`, { n: 1 }), 'pool-grow'),
        ' ',
        button('−1', () => act(`pool shrink ${worker.hostname}`, `/api/workers/${target}/pool/shrink`, { n: 1 }), 'pool-shrink'),
        ' ',
        button('Shut down', () => {
          if (confirm(`Shut down ${worker.hostname}?`)) void act(`shutdown ${worker.hostname}`, `/api/workers/${target}/shutdown`, {});
        }, 'shutdown'),
      );
      tr.append(cell);
    }
    return tr;
  });
  replaceRows($('workers-table').tBodies[0], rows);
  drawRates(rates.points);
}

function drawRates(points) {
  const data = [points.map((p) => p[0]), points.map((p) => p[1]), points.map((p) => p[2])];
  if (typeof uPlot === 'undefined') return;
  if (state.chart === null) {
    const container = $('rates');
    state.chart = new uPlot(
      {
        width: Math.max(320, container.clientWidth || 800),
        height: 200,
        series: [{}, { label: 'succeeded/s', stroke: '#2a6f2a', width: 1.5 }, { label: 'failed/s', stroke: '#b00020', width: 1.5 }],
        axes: [{}, { label: 'tasks/s' }],
      },
      data,
      container,
    );
  } else {
    state.chart.setData(data);
  }
}

function tasksQuery() {
  const params = new URLSearchParams();
  const search = $('search').value.trim();
  if (search) params.set('search', search);
  for (const [key, id] of [['state', 'filter-state'], ['name', 'filter-name'], ['worker', 'filter-worker']]) {
    if ($(id).value) params.set(key, $(id).value);
  }
  params.set('limit', String(PAGE_SIZE));
  params.set('offset', String(state.offset));
  return params.toString();
}

async function renderTasks(force = false) {
  const query = tasksQuery();
  if (!force && query === state.tasksQuery && state.eventCount === state.tasksEventCount) return;
  const [list, types] = await Promise.all([api(`/api/tasks?${query}`), api('/api/task-types')]);
  state.taskTypes = types.taskTypes;
  fillSelect($('filter-name'), types.taskTypes, 'any task');
  $('task-types').replaceChildren(...types.taskTypes.map((name) => { const o = el('option'); o.value = name; return o; }));
  const rows = list.tasks.map((task) => {
    const link = el('a', task.uuid);
    link.href = `#/tasks/${encodeURIComponent(task.uuid)}`;
    const tr = row([
      td(link, 'mono'),
      td(task.name),
      td(task.state, `state state-${task.state}`),
      td(task.args, 'mono'),
      td(task.result ?? task.exception, 'mono'),
      td(task.worker, 'mono'),
      td(time(task.received)),
      td(typeof task.runtime === 'number' ? `${task.runtime.toFixed(3)} s` : null),
    ]);
    tr.dataset.uuid = task.uuid;
    tr.dataset.state = task.state;
    tr.className = 'clickable';
    tr.addEventListener('click', (event) => {
      if (event.target.tagName !== 'A') location.hash = `#/tasks/${encodeURIComponent(task.uuid)}`;
    });
    return tr;
  });
  replaceRows($('tasks-table').tBodies[0], rows);
  const last = Math.min(list.offset + list.tasks.length, list.total);
  $('tasks-count').textContent = list.total === 0 ? 'No task matches.' : `Tasks ${list.offset + 1}–${last} of ${list.total}, newest first`;
  $('newer').disabled = list.offset === 0;
  $('older').disabled = last >= list.total;
  state.tasksQuery = query;
  state.tasksEventCount = state.eventCount;
  $('tasks-table').dataset.query = query;
}

const TASK_FIELDS = [
  ['name', 'Name'], ['state', 'State'], ['args', 'Args'], ['kwargs', 'Kwargs'], ['result', 'Result'], ['exception', 'Exception'],
  ['traceback', 'Traceback'], ['worker', 'Worker'], ['runtime', 'Runtime (s)'], ['retries', 'Retries'], ['eta', 'ETA'],
  ['expires', 'Expires'], ['queue', 'Queue'], ['routingKey', 'Routing key'], ['client', 'Client'],
  ['sent', 'Sent'], ['received', 'Received'], ['started', 'Started'], ['succeeded', 'Succeeded'], ['failed', 'Failed'],
  ['retried', 'Retried'], ['revoked', 'Revoked'], ['rejected', 'Rejected'],
];
const TIME_FIELDS = new Set(['sent', 'received', 'started', 'succeeded', 'failed', 'retried', 'revoked', 'rejected']);
const MONO_FIELDS = new Set(['args', 'kwargs', 'result', 'exception', 'traceback']);

function taskLink(relative) {
  const link = el('a', `${relative.uuid}${relative.name ? ` ${relative.name}` : ''}${relative.state ? ` (${relative.state})` : ''}`);
  link.href = `#/tasks/${encodeURIComponent(relative.uuid)}`;
  return link;
}

async function renderTask(id) {
  let task;
  try {
    task = await api(`/api/tasks/${encodeURIComponent(id)}`);
  } catch (error) {
    $('task-title').textContent = error.status === 404 ? `Task ${id} is not in the dashboard's memory` : error.message;
    $('task-fields').replaceChildren();
    $('task-timeline').tBodies[0].replaceChildren();
    return;
  }
  $('task-title').textContent = `${task.name ?? 'Task'} ${task.uuid}`;
  $('task-fields').dataset.uuid = task.uuid;
  const items = [];
  for (const [key, label] of TASK_FIELDS) {
    const value = task[key];
    if (value === undefined || value === null) continue;
    items.push(el('dt', label));
    const text = TIME_FIELDS.has(key) ? `${time(value)} (${value})` : String(value);
    const dd = el('dd', text, MONO_FIELDS.has(key) ? 'mono' : undefined);
    dd.dataset.field = key;
    items.push(dd);
  }
  for (const [label, relative] of [['Parent', task.parent], ['Root', task.root]]) {
    if (!relative) continue;
    items.push(el('dt', label));
    const dd = el('dd');
    dd.append(taskLink(relative));
    items.push(dd);
  }
  if (task.childTasks.length > 0) {
    items.push(el('dt', 'Children'));
    const dd = el('dd');
    for (const child of task.childTasks) dd.append(taskLink(child), document.createElement('br'));
    items.push(dd);
  }
  $('task-fields').replaceChildren(...items);
  replaceRows($('task-timeline').tBodies[0], task.timeline.map((entry) => row([td(entry.type), td(time(entry.timestamp)), td(entry.hostname, 'mono')])));
}

async function renderQueues() {
  const { queues } = await api('/api/queues');
  replaceRows(
    $('queues-table').tBodies[0],
    queues.map((queue) => {
      const tr = row([td(queue.name, 'mono'), td(queue.messages), td(queue.consumers.join(', ') || null, 'mono')]);
      tr.dataset.queue = queue.name;
      return tr;
    }),
  );
}

// ---- loop -------------------------------------------------------------------------------------------------------

let refreshing = null;
let forcedAgain = false;
/** Aborts the GET requests of the refresh under way (a forced refresh does not wait for a poll). */
let polling = null;

async function renderRoute(route, force) {
  if (route.view === 'workers') await renderWorkers();
  else if (route.view === 'tasks') await renderTasks(force);
  else if (route.view === 'task') await renderTask(route.id);
  else if (route.view === 'queues') await renderQueues();
}

/** Renders the current view; a forced refresh (a search, a click) asked during another runs right after it. */
function refresh(force = false) {
  if (refreshing) {
    if (force) {
      forcedAgain = true;
      polling?.abort();
    }
    return refreshing;
  }
  polling = new AbortController();
  refreshing = (async () => {
    const route = currentRoute();
    for (const section of document.querySelectorAll('.view')) section.hidden = section.id !== `view-${route.view}`;
    for (const link of document.querySelectorAll('nav a')) link.classList.toggle('current', link.dataset.view === (route.view === 'task' ? 'tasks' : route.view));
    try {
      // Forced: what the user asked for first. Polling: the summary first (its event count says whether the list changed).
      if (force) {
        await renderRoute(route, true);
        await renderSummary();
      } else {
        await renderSummary();
        await renderRoute(route, false);
      }
      document.body.dataset.ready = 'true';
    } catch (error) {
      if (error.name !== 'AbortError') $('summary').textContent = `dashboard unreachable: ${error.message}`;
    }
  })().finally(() => {
    refreshing = null;
    polling = null;
    if (forcedAgain) {
      forcedAgain = false;
      void refresh(true);
    }
  });
  return refreshing;
}

function searchNow() {
  state.offset = 0;
  return refresh(true);
}

function setup() {
  showTokenState();
  let debounce = null;
  $('search').addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(searchNow, 250);
  });
  $('task-filters').addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(debounce);
    void searchNow();
  });
  for (const id of ['filter-state', 'filter-name', 'filter-worker']) $(id).addEventListener('change', searchNow);
  $('newer').addEventListener('click', () => { state.offset = Math.max(0, state.offset - PAGE_SIZE); void refresh(true); });
  $('older').addEventListener('click', () => { state.offset += PAGE_SIZE; void refresh(true); });
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('token').value.trim();
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
    $('token').value = '';
    showTokenState();
  });
  $('rate-limit-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const body = { taskName: $('rl-task').value.trim(), rate: $('rl-rate').value.trim() };
    if ($('rl-worker').value) body.destination = $('rl-worker').value;
    void act(`rate limit ${body.taskName} ${body.rate}`, '/api/rate-limit', body);
  });
  const revoke = (terminate) => {
    const { id } = currentRoute();
    if (!id) return;
    const body = terminate ? { terminate: true, signal: $('revoke-signal').value } : { terminate: false };
    void act(`${terminate ? 'terminate' : 'revoke'} ${id}`, `/api/tasks/${encodeURIComponent(id)}/revoke`, body);
  };
  $('revoke').addEventListener('click', () => revoke(false));
  $('terminate').addEventListener('click', () => revoke(true));
  window.addEventListener('hashchange', () => void refresh(true));
  showActions();
  void refresh(true);
  state.timer = setInterval(() => void refresh(), POLL_MS);
}

setup();
