// Gate operator console: one card per lane with the live face, the chip photo and the score, the
// card data (masked by the hub for the viewer's role), list results, and Approve/Deny for REVIEW.
// Keys: 1–9 select a lane, A approve, D deny (with the reason typed), O open the selected lane.
import { SocketEvents } from '/contracts/socket-events.js';
import { currentLang, reasonText, setLang, t } from '/i18n.js';
import { apiFetch, ensureSession, logout, reauthenticate, signedInAs, socketAuth } from '/session.js';

const $ = (id) => document.getElementById(id);
const state = { sites: [], siteId: null, lanes: new Map(), selected: null, devices: new Map() };
const laneKey = (s) => `${s.gateId}/${s.laneId}`;

function applyI18n(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
}

function laneElement(key) {
  let el = document.querySelector(`.lane[data-key="${CSS.escape(key)}"]`);
  if (el) return el;
  el = $('lane-tpl').content.firstElementChild.cloneNode(true);
  el.dataset.key = key;
  applyI18n(el);
  el.addEventListener('click', () => select(key));
  el.querySelector('.approve').addEventListener('click', () => verdict(key, 'approve'));
  el.querySelector('.deny').addEventListener('click', () => verdict(key, 'deny'));
  el.querySelector('.open').addEventListener('click', () => openLane(key));
  el.querySelector('.send-can').addEventListener('click', () => sendCan(key));
  el.querySelector('.can').addEventListener('keydown', (e) => e.key === 'Enter' && (e.stopPropagation(), sendCan(key)));
  $('lanes').append(el);
  return el;
}

/** An empty frame, not a broken-image icon, while there is no photo (e.g. a VNeID QR has no chip photo). */
const NO_PHOTO = 'data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%2F%3E';
function showJpeg(img, base64) {
  img.src = base64 ? `data:image/jpeg;base64,${base64}` : NO_PHOTO;
}

function render(s) {
  const key = laneKey(s);
  const el = laneElement(key);
  const index = [...state.lanes.keys()].indexOf(key);
  el.className = `lane p-${s.phase}${state.selected === key ? ' selected' : ''}${s.watchlist?.listKind === 'watchlist' ? ' hit' : ''}`;
  el.querySelector('.key').textContent = index < 9 ? `[${index + 1}]` : '';
  el.querySelector('.title').textContent = `${s.gateId} · ${t('lane')} ${s.laneId}`;
  el.querySelector('.phase').textContent = t(`phase_${s.phase}`) + (s.offline ? ` · ${t('offlineLane')}` : '');
  showJpeg(el.querySelector('.live'), s.faceJpeg);
  showJpeg(el.querySelector('.chip'), s.chipJpeg);
  el.querySelector('.score').textContent = s.matchScore !== undefined ? `${s.matchScore.toFixed(3)} / ${s.matchThreshold?.toFixed(3) ?? ''}` : '–';
  el.querySelector('.liveness').textContent = s.liveness !== undefined ? s.liveness.toFixed(2) : '–';
  const c = s.card;
  el.querySelector('.card').textContent = c ? [c.fullName, c.idNumber, c.dateOfBirth, c.genuine === undefined ? '' : t(c.genuine ? 'genuineChip' : 'fakeChip')].filter(Boolean).join(' · ') : '';
  el.querySelector('.list').textContent = s.watchlist ? `${t(s.watchlist.listKind)}: ${s.watchlist.entryId}${s.watchlist.severity ? ` (${s.watchlist.severity})` : ''}` : '';
  el.querySelector('.reasons').textContent = (s.reasons ?? []).map(reasonText).join(' · ');
  // The lane's scanner and reader as the gate's last status reported them: only what is down is shown.
  const down = state.devices.get(key) ?? [];
  const devices = el.querySelector('.devices');
  devices.hidden = down.length === 0;
  devices.textContent = down.map((d) => `${t(d.kind)} ${d.name}: ${t('deviceDown')}`).join(' · ');
  $('empty').hidden = state.lanes.size > 0;
}

function onLaneState(s) {
  if (s.siteId !== state.siteId) return;
  const key = laneKey(s);
  state.lanes.set(key, s);
  // A lane waiting for an operator takes the focus, so A/D act on it at once.
  if (s.phase === 'awaiting_review' || !state.selected) state.selected = key;
  for (const v of state.lanes.values()) render(v);
  if (s.phase === 'awaiting_review') document.querySelector(`.lane[data-key="${CSS.escape(key)}"] .reason`)?.focus();
}

function onGateStatus(g) {
  if (g.siteId !== state.siteId) return;
  const byLane = new Map();
  const add = (laneId, d) => byLane.set(`${g.gateId}/${laneId}`, [...(byLane.get(`${g.gateId}/${laneId}`) ?? []), d]);
  for (const q of g.qrInputs ?? []) if (!q.connected) add(q.laneId, { kind: 'qrScanner', name: q.source });
  for (const r of g.cardReaders ?? []) if (!r.connected) add(r.laneId, { kind: 'cardReader', name: r.reader });
  for (const key of state.lanes.keys()) if (key.startsWith(`${g.gateId}/`)) state.devices.set(key, g.state === 'online' ? (byLane.get(key) ?? []) : []);
  for (const v of state.lanes.values()) render(v);
}

function select(key) {
  state.selected = key;
  for (const v of state.lanes.values()) render(v);
}

async function post(path, body) {
  const res = await apiFetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return res.json();
}

async function verdict(key, v) {
  const s = state.lanes.get(key);
  const el = laneElement(key);
  const reason = el.querySelector('.reason').value.trim();
  if (!s || s.phase !== 'awaiting_review') return;
  if (!reason) {
    el.querySelector('.reason').placeholder = t('reasonRequired');
    el.querySelector('.reason').focus();
    return;
  }
  await post('/api/gate-control/review', { siteId: s.siteId, gateId: s.gateId, laneId: s.laneId, decisionId: s.decisionId, verdict: v, reason });
  el.querySelector('.reason').value = '';
}

async function openLane(key) {
  const s = state.lanes.get(key);
  const el = laneElement(key);
  const reason = el.querySelector('.reason').value.trim() || prompt(t('reasonPlaceholder'))?.trim();
  if (!s || !reason) return;
  await post('/api/gate-control/open', { siteId: s.siteId, gateId: s.gateId, laneId: s.laneId, reason });
  el.querySelector('.reason').value = '';
}

/** The CAN printed on the card, for a card whose QR cannot be scanned. */
async function sendCan(key) {
  const s = state.lanes.get(key);
  const input = laneElement(key).querySelector('.can');
  if (!s || !/^\d{6}$/.test(input.value)) return;
  await post('/api/gate-control/can', { siteId: s.siteId, gateId: s.gateId, laneId: s.laneId, can: input.value });
  input.value = '';
}

function beep() {
  try {
    const ctx = new AudioContext();
    for (let i = 0; i < 3; i++) {
      const o = ctx.createOscillator();
      o.frequency.value = 880;
      o.connect(ctx.destination);
      o.start(ctx.currentTime + i * 0.3);
      o.stop(ctx.currentTime + i * 0.3 + 0.15);
    }
  } catch {
    // no audio device: the banner still shows
  }
}

function onWatchlistHit(h) {
  if (h.siteId !== state.siteId) return;
  $('banner-where').textContent = `${h.gateId} · ${t('lane')} ${h.laneId}${h.severity ? ` · ${h.severity}` : ''}`;
  $('banner').hidden = false;
  beep();
}

document.addEventListener('keydown', (e) => {
  const typing = e.target instanceof HTMLInputElement;
  if (typing && e.target.classList.contains('can')) return;
  const key = state.selected;
  if (/^[1-9]$/.test(e.key) && !typing) {
    const k = [...state.lanes.keys()][Number(e.key) - 1];
    if (k) select(k);
    return;
  }
  if (!key) return;
  // In the reason field, Enter approves; A/D/O work when not typing (or with Alt while typing).
  const cmd = typing && !e.altKey ? (e.key === 'Enter' ? 'a' : null) : e.key.toLowerCase();
  if (cmd === 'a') verdict(key, 'approve');
  else if (cmd === 'd') verdict(key, 'deny');
  else if (cmd === 'o') openLane(key);
  else return;
  e.preventDefault();
});

const socket = io({ transports: ['websocket'], autoConnect: false, auth: (cb) => cb(socketAuth()) });
socket.on('connect', () => {
  $('conn').className = 'conn on';
  $('conn').dataset.i18n = 'online';
  $('conn').textContent = t('online');
  socket.emit(SocketEvents.subscribe, { siteIds: [state.siteId] });
});
socket.on('disconnect', (reason) => {
  $('conn').className = 'conn off';
  $('conn').dataset.i18n = 'offline';
  $('conn').textContent = t('offline');
  if (reason === 'io server disconnect') reauthenticate(socket);
});
socket.on('connect_error', (e) => e.message === 'unauthorized' && reauthenticate(socket));
socket.on(SocketEvents.laneState, onLaneState);
socket.on(SocketEvents.laneWatchlistHit, onWatchlistHit);
socket.on(SocketEvents.gateStatus, onGateStatus);

$('lang').addEventListener('click', () => {
  setLang(currentLang() === 'vi' ? 'en' : 'vi');
  $('lang').textContent = currentLang() === 'vi' ? 'EN' : 'VI';
  applyI18n();
  for (const v of state.lanes.values()) render(v);
});
$('logout').addEventListener('click', () => logout());
$('banner-dismiss').addEventListener('click', () => ($('banner').hidden = true));
$('site').addEventListener('change', (e) => {
  const url = new URL(location.href);
  url.searchParams.set('site', e.target.value);
  location.assign(url);
});

setLang(currentLang());
applyI18n();
$('lang').textContent = currentLang() === 'vi' ? 'EN' : 'VI';
await ensureSession();
$('who').textContent = signedInAs() ?? '';
state.sites = await (await apiFetch('/api/sites')).json();
const wanted = new URLSearchParams(location.search).get('site');
state.siteId = state.sites.some((s) => s.siteId === wanted) ? wanted : state.sites[0]?.siteId;
$('site').replaceChildren(...state.sites.map((s) => new Option(s.name, s.siteId, false, s.siteId === state.siteId)));
for (const s of await (await apiFetch(`/api/gate-control/lanes?siteId=${state.siteId}`)).json()) onLaneState(s);
socket.connect();
