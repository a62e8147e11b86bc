import type { ExportQuery } from '../../../../libs/contracts/src/index.js';

/** One event as the export reads it (raw columns: the export formats them itself). */
export interface ExportRow {
  event_id: string;
  occurred_at: string | number;
  site_id: string;
  zone_id: string;
  gate_id: string;
  lane_id: string | null;
  direction: string;
  source: string;
  decision_outcome: string | null;
  decision_json: string | { reasons?: string[] } | null;
}

/**
 * The SQL of one oldest-first keyset page of an export's events after (occurredAt, eventId) `after`:
 * `$1…` placeholders on PostgreSQL, `?` on SQLite. Shared by the hub's repository and the export
 * worker, which reads through its own connection.
 */
export function exportPageSql(
  dialect: 'postgres' | 'sqlite',
  q: ExportQuery,
  after: [number, string] | null,
  limit: number,
): { sql: string; params: unknown[] } {
  let i = 0;
  const ph = () => (dialect === 'postgres' ? `$${++i}` : '?');
  const params: unknown[] = [q.siteId, Date.parse(q.from), Date.parse(q.to)];
  let sql = `SELECT event_id, occurred_at, site_id, zone_id, gate_id, lane_id, direction, source, decision_outcome, decision_json FROM gate_events WHERE site_id = ${ph()} AND occurred_at >= ${ph()} AND occurred_at < ${ph()}`;
  for (const [col, v] of [
    ['zone_id', q.zoneId],
    ['gate_id', q.gateId],
    ['direction', q.direction],
    ['source', q.source],
  ] as const)
    if (v) {
      sql += ` AND ${col} = ${ph()}`;
      params.push(v);
    }
  if (after) {
    sql += ` AND (occurred_at > ${ph()} OR (occurred_at = ${ph()} AND event_id > ${ph()}))`;
    params.push(after[0], after[0], after[1]);
  }
  sql += ` ORDER BY occurred_at, event_id LIMIT ${Math.trunc(limit)}`;
  return { sql, params };
}
