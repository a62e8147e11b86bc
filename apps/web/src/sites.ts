import { ref } from 'vue';
import type { SiteInfo } from '@contracts/rest.js';
import { api } from './session.js';

/** The caller's sites (GET /api/sites), loaded once per page. */
export const sites = ref<SiteInfo[]>([]);
let loading: Promise<SiteInfo[]> | null = null;
export function loadSites(force = false): Promise<SiteInfo[]> {
  if (force) loading = null;
  loading ??= api<SiteInfo[]>('/api/sites').then((s) => (sites.value = s));
  return loading;
}
export const siteName = (id: string) => sites.value.find((s) => s.siteId === id)?.name ?? id;
export const gateName = (siteId: string, gateId: string) =>
  sites.value.find((s) => s.siteId === siteId)?.gates.find((g) => g.gateId === gateId)?.name ?? gateId;
