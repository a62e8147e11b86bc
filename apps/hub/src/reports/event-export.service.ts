import { Injectable } from '@nestjs/common';
import ExcelJS from 'exceljs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { EXPORT_COLUMNS, type ExportQuery } from '../../../../libs/contracts/src/index.js';
import { TZ_OFFSET_MS } from '../counts/local-day.js';
import { placeholders } from '../database/sql-dialect.js';

/** Rows read per query: the export holds one page in memory at a time. */
const PAGE = 2000;
/** Data rows per XLSX sheet (Excel's limit is 1 048 576 rows, header included). */
const XLSX_ROWS_PER_SHEET = 1_000_000;

interface Row {
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

type Cells = (string | number)[];

/**
 * Every event of a range as CSV or XLSX, written to the response as it is read: keyset pages in
 * time order, the writer awaited (`drain`) so a slow client slows the reads instead of filling memory.
 * No identity data: the columns are those of `EXPORT_COLUMNS`.
 */
@Injectable()
export class EventExportService {
  constructor(private readonly db: DataSource) {}

  async *rows(q: ExportQuery): AsyncGenerator<Cells[]> {
    let after: [number, string] | null = null;
    for (;;) {
      const params: unknown[] = [q.siteId, Date.parse(q.from), Date.parse(q.to)];
      const ph = placeholders(this.db);
      let sql = `SELECT event_id, occurred_at, site_id, zone_id, gate_id, lane_id, direction, source, decision_outcome, decision_json FROM gate_events WHERE site_id = ${ph(1)} AND occurred_at >= ${ph(1)} AND occurred_at < ${ph(1)}`;
      for (const [col, v] of [['zone_id', q.zoneId], ['gate_id', q.gateId], ['direction', q.direction], ['source', q.source]] as const)
        if (v) (sql += ` AND ${col} = ${ph(1)}`), params.push(v);
      if (after) (sql += ` AND (occurred_at > ${ph(1)} OR (occurred_at = ${ph(1)} AND event_id > ${ph(1)}))`), params.push(after[0], after[0], after[1]);
      sql += ` ORDER BY occurred_at, event_id LIMIT ${PAGE}`;
      const rows = (await this.db.query(sql, params)) as Row[];
      if (rows.length === 0) return;
      yield rows.map(toCells);
      const last = rows.at(-1)!;
      after = [Number(last.occurred_at), last.event_id];
      if (rows.length < PAGE) return;
    }
  }

  async writeCsv(q: ExportQuery, out: Writable): Promise<number> {
    let n = 0;
    // A byte-order mark so Excel opens the UTF-8 file with Vietnamese intact.
    await write(out, `\ufeff${EXPORT_COLUMNS.join(',')}\r\n`);
    for await (const page of this.rows(q)) {
      await write(out, page.map((cells) => cells.map(csvCell).join(',')).join('\r\n') + '\r\n');
      n += page.length;
    }
    out.end();
    return n;
  }

  async writeXlsx(q: ExportQuery, out: Writable): Promise<number> {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
    // A sheet holds at most 1 048 576 rows: a longer export continues on events-2, events-3, …
    const sheet = (i: number) => {
      const s = wb.addWorksheet(i === 1 ? 'events' : `events-${i}`);
      s.addRow([...EXPORT_COLUMNS]).commit();
      return s;
    };
    let ws = sheet(1);
    let n = 0;
    for await (const page of this.rows(q)) {
      for (const cells of page) {
        if (n > 0 && n % XLSX_ROWS_PER_SHEET === 0) {
          ws.commit();
          ws = sheet(n / XLSX_ROWS_PER_SHEET + 1);
        }
        ws.addRow(cells).commit();
        n++;
      }
      // Wait while the client is behind. (exceljs itself queues the sheet for its zip without
      // backpressure: XLSX memory grows with the export, see the README's measured figures.)
      if (out.writableNeedDrain) await drained(out);
    }
    ws.commit();
    await wb.commit();
    return n;
  }
}

function toCells(r: Row): Cells {
  const at = Number(r.occurred_at);
  const d = typeof r.decision_json === 'string' ? (JSON.parse(r.decision_json) as { reasons?: string[] }) : r.decision_json;
  const local = new Date(at + TZ_OFFSET_MS).toISOString().replace('T', ' ').slice(0, 19);
  return [r.event_id, new Date(at).toISOString(), local, r.site_id, r.zone_id, r.gate_id, r.lane_id ?? '', r.direction, r.source, r.decision_outcome ?? '', (d?.reasons ?? []).join(';')];
}

/** RFC 4180 quoting; a leading =, +, - or @ is neutralised so a spreadsheet never runs a cell as a formula. */
function csvCell(v: string | number): string {
  let s = String(v);
  if (/^[=+\-@]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await drained(out);
}

/** Resolves when the client has taken what was written; fails when it went away (the export stops reading). */
async function drained(out: Writable): Promise<void> {
  const ac = new AbortController();
  try {
    await Promise.race([
      once(out, 'drain', { signal: ac.signal }),
      once(out, 'close', { signal: ac.signal }).then(() => {
        throw new Error('export: the client closed the connection');
      }),
    ]);
  } finally {
    ac.abort();
  }
}
