// The hub's REST API as the screens use it: one typed function per endpoint, paths and query strings
// built here only, request and answer types from libs/contracts. Views call these, never a URL.
import type { Alert, AlertAction, AlertSighting } from '@contracts/alerts.js';
import type { GateStatus } from '@contracts/gate-status.js';
import type { EnterCanRequest, GateCommandAck, LaneState, OpenLaneRequest, ReviewVerdictRequest } from '@contracts/lane-state.js';
import type { Report } from '@contracts/reports.js';
import type { CountsQuery, CountsResponse, EventDetail, EventPage, EventSearchQuery } from '@contracts/rest.js';
import { api, apiFetch } from '../session.js';

const enc = encodeURIComponent;
const time = (t: number | Date) => new Date(t).toISOString();

/** Query parameters in the given order, empty values left out. */
function query(params: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  return p.toString();
}

/** Base64 JPEGs (null when there is none). */
export interface AlertPhotos {
  liveCrop: string | null;
  listPhoto: string | null;
}

export type AlertStep = 'acknowledge' | 'resolve' | 'false-positive';

export const hubApi = {
  gateStatus: (siteId: string) => api<GateStatus[]>(`/api/gate-status?siteId=${enc(siteId)}`),

  /** Stored crossings of a site per bucket between `from` and `to`. */
  counts: (siteId: string, from: number | Date, to: number | Date, bucket: CountsQuery['bucket']) =>
    api<CountsResponse>(`/api/counts?siteId=${enc(siteId)}&from=${time(from)}&to=${time(to)}&bucket=${bucket}`),

  /** The last known state of each lane of a site (the console's start). */
  laneStates: (siteId: string) => api<LaneState[]>(`/api/gate-control/lanes?siteId=${enc(siteId)}`),

  /** Operator commands to a lane (the hub answers once the gate's broker has taken the command). */
  gateControl: {
    review: (body: ReviewVerdictRequest) => api<GateCommandAck>('/api/gate-control/review', { method: 'POST', json: body }),
    open: (body: OpenLaneRequest) => api<GateCommandAck>('/api/gate-control/open', { method: 'POST', json: body }),
    enterCan: (body: EnterCanRequest) => api<GateCommandAck>('/api/gate-control/can', { method: 'POST', json: body }),
  },

  alerts: {
    list: (siteId: string, limit: number) => api<Alert[]>(`/api/sites/${enc(siteId)}/alerts?limit=${limit}`),
    step: (siteId: string, alertId: string, step: AlertStep, body: AlertAction) =>
      api<Alert>(`/api/sites/${enc(siteId)}/alerts/${alertId}/${step}`, { method: 'POST', json: body }),
    acknowledgeMany: (siteId: string, body: AlertAction & { alertIds: string[] }) =>
      api<{ acknowledged: Alert[]; skipped: unknown[] }>(`/api/sites/${enc(siteId)}/alerts/acknowledge`, { method: 'POST', json: body }),
    sightings: (siteId: string, alertId: string) => api<AlertSighting[]>(`/api/sites/${enc(siteId)}/alerts/${alertId}/sightings`),
    /** The live crop and the list photo of a watchlist alert (security, admin; audited by the hub). */
    photos: (siteId: string, alertId: string) => api<AlertPhotos>(`/api/sites/${enc(siteId)}/alerts/${alertId}/photos`),
  },

  events: {
    page: (q: Partial<Record<keyof EventSearchQuery, string | number>>) => api<EventPage>(`/api/events?${query(q)}`),
    detail: (eventId: string) => api<EventDetail>(`/api/events/${enc(eventId)}`),
    /** The decision's face crop (a JPEG response; 404 when none or not yours to see). */
    crop: (eventId: string) => apiFetch(`/api/events/${enc(eventId)}/crop`),
  },

  reports: {
    summary: (params: URLSearchParams) => api<Report>(`/api/reports/summary?${params}`),
  },
};
