// The one Socket.IO connection of the app. Socket.IO reconnects by itself (network or hub back);
// every (re)connect re-joins the sites a screen asked for, which answers with fresh snapshots.
import { io, type Socket } from 'socket.io-client';
import { ref } from 'vue';
import { SocketEvents } from '@contracts/socket-events.js';
import { reauthenticate, socketAuth } from './session.js';

export const connected = ref(false);
let socket: Socket | null = null;
const wanted = new Set<string>();

export function live(): Socket {
  if (socket) return socket;
  const s = io({ transports: ['websocket'], autoConnect: false, auth: (cb) => cb(socketAuth()), reconnectionDelayMax: 5000 });
  s.on('connect', () => {
    connected.value = true;
    if (wanted.size) s.emit(SocketEvents.subscribe, { siteIds: [...wanted] });
  });
  s.on('disconnect', (reason) => {
    connected.value = false;
    // The hub closes a socket when its access token expires: renew and come back.
    if (reason === 'io server disconnect') void reauthenticate(s);
  });
  s.on('connect_error', (e) => {
    if (e.message === 'unauthorized') void reauthenticate(s);
  });
  socket = s;
  s.connect();
  return s;
}

/** Joins these sites' rooms now and after every reconnect. */
export function subscribeSites(siteIds: string[]): void {
  for (const id of siteIds) wanted.add(id);
  const s = live();
  if (s.connected && siteIds.length) s.emit(SocketEvents.subscribe, { siteIds });
}
