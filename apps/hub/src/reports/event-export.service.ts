import { Injectable } from '@nestjs/common';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { EXPORT_COLUMNS, type ExportQuery } from '../../../../libs/contracts/src/index.js';
import { TZ_OFFSET_MS } from '../counts/local-day.js';
import { EventsRepository, type ExportRow } from '../events/events.repository.js';
import { StreamingZip } from './streaming-zip.js';

/** Rows read per query: the export holds one page in memory at a time. */
const PAGE = 2000;
/** Data rows per XLSX sheet (Excel's limit is 1 048 576 rows, header included). */
const XLSX_ROWS_PER_SHEET = 1_000_000;

type Cells = (string | number)[];

/**
 * Every event of a range as CSV or XLSX, written to the response as it is read: keyset pages in
 * time order, the writer awaited (`drain`) so a slow client slows the reads instead of filling memory
 * (XLSX: through a deflater that is itself awaited).
 * No identity data: the columns are those of `EXPORT_COLUMNS`.
 */
@Injectable()
export class EventExportService {
  constructor(private readonly events: EventsRepository) {}

  async *rows(q: ExportQuery): AsyncGenerator<Cells[]> {
    let after: [number, string] | null = null;
    for (;;) {
      // Back to the event loop between pages: on SQLite a page is read synchronously, and a client
      // reading as fast as it is written never makes `write` wait, so without this one export would
      // hold the process (gate PUBACKs, /health, other requests) until its last row.
      await new Promise<void>((r) => setImmediate(r));
      const rows = await this.events.exportPage(q, after, PAGE);
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

  /**
   * The workbook's XML written by hand into a streaming ZIP (see StreamingZip): rows are read from the
   * database only as fast as the deflater and the client take them, so memory stays bounded (exceljs'
   * streaming writer queued the whole sheet for its zip without backpressure: ~830 MB for 1 000 000
   * events). Strings are inline (no shared-string table to hold), no styles.
   */
  async writeXlsx(q: ExportQuery, out: Writable): Promise<number> {
    const zip = new StreamingZip(out);
    const pages = this.rows(q)[Symbol.asyncIterator]();
    let carry: Cells[] = [];
    let n = 0;
    let done = false;
    let sheets = 0;
    // A sheet holds at most 1 048 576 rows: a longer export continues on events-2, events-3, …
    async function* sheetXml(): AsyncGenerator<string> {
      yield '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
      yield xlsxRow(1, EXPORT_COLUMNS);
      let r = 1;
      while (r <= XLSX_ROWS_PER_SHEET) {
        if (carry.length === 0) {
          const next = await pages.next();
          if (next.done) {
            done = true;
            break;
          }
          carry = next.value;
        }
        const take = carry.splice(0, XLSX_ROWS_PER_SHEET - r + 1);
        let xml = '';
        for (const cells of take) xml += xlsxRow(++r, cells);
        n += take.length;
        yield xml;
      }
      yield '</sheetData></worksheet>';
    }
    do {
      sheets++;
      await zip.entry(`xl/worksheets/sheet${sheets}.xml`, sheetXml());
      if (!done && carry.length === 0) {
        // Exactly a full sheet: only start another if more rows come.
        const next = await pages.next();
        if (next.done) done = true;
        else carry = next.value;
      }
    } while (!done);
    const names = Array.from({ length: sheets }, (_, i) => (i === 0 ? 'events' : `events-${i + 1}`));
    await zip.entry(
      '[Content_Types].xml',
      [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>',
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>',
        ...names.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`),
        '</Types>',
      ],
    );
    await zip.entry('_rels/.rels', [
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">',
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    ]);
    await zip.entry('xl/workbook.xml', [
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>',
      ...names.map((name, i) => `<sheet name="${name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`),
      '</sheets></workbook>',
    ]);
    await zip.entry('xl/_rels/workbook.xml.rels', [
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">',
      ...names.map((_, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`),
      '</Relationships>',
    ]);
    await zip.finish();
    return n;
  }
}

const COLUMN_LETTERS = EXPORT_COLUMNS.map((_, i) => String.fromCharCode(65 + i));

/** One sheet row: numbers as numbers, everything else as an inline string. */
function xlsxRow(r: number, cells: readonly (string | number)[]): string {
  let xml = `<row r="${r}">`;
  cells.forEach((v, i) => {
    const ref = `${COLUMN_LETTERS[i]}${r}`;
    if (typeof v === 'number') xml += `<c r="${ref}"><v>${v}</v></c>`;
    else if (v !== '') xml += `<c r="${ref}" t="inlineStr"><is><t>${xmlText(v)}</t></is></c>`;
  });
  return `${xml}</row>`;
}

/** XML-escaped, without the control characters XML 1.0 cannot carry. */
function xmlText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function toCells(r: ExportRow): Cells {
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
