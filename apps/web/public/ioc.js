import { SocketEvents } from '/contracts/socket-events.js';
import { currentLang, reasonText, setLang, t } from '/i18n.js';
import { apiFetch, ensureSession, logout, reauthenticate, signedInAs, socketAuth } from '/session.js';

const $ = (id) => document.getElementById(id);
const fmt = new Intl.NumberFormat('vi-VN');
const timeFmt = () => new Intl.DateTimeFormat(currentLang() === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', second: '2-digit' });

const state = { sites: [], siteId: null, gates: new Map(), minutes: new Map(), ticker: [] };
const chart = echarts.init($('chart'), 'dark', { renderer: 'canvas' });

async function loadSites() {
  const res = await apiFetch('/api/sites');
  state.sites = await res.json();
  const wanted = new URLSearchParams(location.search).get('site');
  state.siteId = state.sites.some((s) => s.siteId === wanted) ? wanted : state.sites[0]?.siteId;
  $('site').replaceChildren(...state.sites.map((s) => new Option(s.name, s.siteId, false, s.siteId === state.siteId)));
}

function site() {
  return state.sites.find((s) => s.siteId === state.siteId);
}

function renderGates(counts) {
  const s = site();
  if (!s) return;
  $('gates').replaceChildren(
    ...s.gates.map((g) => {
      const c = counts?.gates?.[g.gateId] ?? state.gates.get(g.gateId) ?? { entries: 0, exits: 0 };
      state.gates.set(g.gateId, c);
      const row = document.createElement('div');
      row.className = `gate${g.online ? ' online' : ''}`;
      row.dataset.gate = g.gateId;
      row.title = t(g.online ? 'gateOnline' : 'gateOffline');
      row.innerHTML = `<span class="name"></span><span class="in"></span><span class="out"></span>`;
      row.querySelector('.name').textContent = g.name;
      row.querySelector('.in').textContent = `↓ ${fmt.format(c.entries)}`;
      row.querySelector('.out').textContent = `↑ ${fmt.format(c.exits)}`;
      return row;
    }),
  );
}

function renderCounts(p) {
  if (p.siteId !== state.siteId) return;
  $('site-entries').textContent = fmt.format(p.site.entries);
  $('site-exits').textContent = fmt.format(p.site.exits);
  $('site-occupancy').textContent = fmt.format(p.site.occupancy);
  renderGates(p);
}

function renderTicker() {
  const f = timeFmt();
  const gateName = (id) => site()?.gates.find((g) => g.gateId === id)?.name ?? id;
  $('ticker').replaceChildren(
    ...state.ticker.map((e) => {
      const li = document.createElement('li');
      li.innerHTML = '<span class="t"></span><span class="d"></span><span class="g"></span><span class="s"></span><span class="v"></span>';
      li.querySelector('.t').textContent = f.format(new Date(e.occurredAt));
      li.querySelector('.d').textContent = t(e.direction);
      li.querySelector('.d').className = `dir-${e.direction}`;
      li.querySelector('.g').textContent = gateName(e.gateId);
      li.querySelector('.s').textContent = t(e.source);
      // A refused entrant is not a crossing: it shows why, in red, and is not counted.
      if (e.outcome && e.outcome !== 'open') {
        li.className = 'refused';
        const why = (e.reasons ?? []).slice(0, 3).map(reasonText);
        const door = e.reasons?.[0]?.startsWith('door_');
        li.querySelector('.v').textContent = (door ? why : [t('phase_denied'), ...why]).join(' · ');
      }
      return li;
    }),
  );
}

const minuteKey = (ms) => Math.floor(ms / 60000) * 60000;

function renderChart() {
  const now = minuteKey(Date.now());
  const xs = [];
  const ins = [];
  const outs = [];
  const f = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit' });
  for (let m = now - 59 * 60000; m <= now; m += 60000) {
    const b = state.minutes.get(m) ?? { entries: 0, exits: 0 };
    xs.push(f.format(new Date(m)));
    ins.push(b.entries);
    outs.push(b.exits);
  }
  chart.setOption({
    backgroundColor: 'transparent',
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, right: 0, data: [t('entries'), t('exits')] },
    grid: { left: 40, right: 10, top: 30, bottom: 30 },
    xAxis: { type: 'category', data: xs },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: t('entries'), type: 'bar', data: ins, itemStyle: { color: '#3ddc97' } },
      { name: t('exits'), type: 'bar', data: outs, itemStyle: { color: '#ff8a5b' } },
    ],
  });
}

async function loadMinutes() {
  const to = new Date(minuteKey(Date.now()) + 60000);
  const from = new Date(to.getTime() - 60 * 60000);
  const res = await apiFetch(`/api/counts?siteId=${encodeURIComponent(state.siteId)}&from=${from.toISOString()}&to=${to.toISOString()}&bucket=1m`);
  const body = await res.json();
  state.minutes = new Map((body.buckets ?? []).map((b) => [Date.parse(b.start), { entries: b.entries, exits: b.exits }]));
  renderChart();
}

// The ticker is a sample that includes refusals and door alarms: the chart is set from the stored
// per-minute counts the hub sends with each counts update, never counted from the ticker.
function onCounts(p) {
  renderCounts(p);
  if (p.siteId !== state.siteId || !p.minutes?.length) return;
  for (const m of p.minutes) state.minutes.set(Date.parse(m.start), { entries: m.entries, exits: m.exits });
  scheduleChart();
}

function onEvents(p) {
  if (p.siteId !== state.siteId) return;
  state.ticker = [...p.events.slice().reverse(), ...state.ticker].slice(0, 20);
  renderTicker();
  scheduleChart();
}

let chartTimer = null;
function scheduleChart() {
  chartTimer ??= setTimeout(() => {
    chartTimer = null;
    renderChart();
  }, 500);
}

function onGateStatus(s) {
  const g = site()?.gates.find((x) => x.gateId === s.gateId);
  if (s.siteId !== state.siteId || !g) return;
  g.online = s.state === 'online';
  renderGates();
}

// The handshake carries the current token or key; the hub refuses a socket without one.
const socket = io({ transports: ['websocket'], autoConnect: false, auth: (cb) => cb(socketAuth()) });
function subscribe() {
  socket.emit(SocketEvents.subscribe, { siteIds: [state.siteId] });
}
socket.on('connect', () => {
  $('conn').className = 'conn on';
  $('conn').dataset.i18n = 'online';
  $('conn').textContent = t('online');
  if (state.siteId) subscribe();
});
socket.on('disconnect', (reason) => {
  $('conn').className = 'conn off';
  $('conn').dataset.i18n = 'offline';
  $('conn').textContent = t('offline');
  // The hub closes a socket when its access token expires: renew and come back.
  if (reason === 'io server disconnect') reauthenticate(socket);
});
socket.on('connect_error', (e) => {
  if (e.message === 'unauthorized') reauthenticate(socket);
});
socket.on(SocketEvents.countsSnapshot, renderCounts);
socket.on(SocketEvents.countsUpdate, onCounts);
socket.on(SocketEvents.eventsNew, onEvents);
socket.on(SocketEvents.gateStatus, onGateStatus);

$('lang').addEventListener('click', () => {
  setLang(currentLang() === 'vi' ? 'en' : 'vi');
  $('lang').textContent = currentLang() === 'vi' ? 'EN' : 'VI';
  renderTicker();
  renderChart();
});
$('site').addEventListener('change', async (e) => {
  const url = new URL(location.href);
  url.searchParams.set('site', e.target.value);
  location.assign(url);
});
setInterval(() => ($('clock').textContent = timeFmt().format(new Date())), 1000);
setInterval(renderChart, 30_000);

setLang(currentLang());
$('lang').textContent = currentLang() === 'vi' ? 'EN' : 'VI';
await ensureSession();
if (signedInAs()) {
  $('logout').hidden = false;
  $('logout').title = signedInAs();
}
$('logout').addEventListener('click', logout);
await loadSites();
renderGates();
await loadMinutes();
socket.connect();
