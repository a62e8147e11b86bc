import { once } from 'node:events';
import type { Writable } from 'node:stream';
import {
  EXPORT_COLUMNS,
  EXPORT_HEADERS,
  EXPORT_SHEETS,
  label,
  reasonLabel,
  type ExportQuery,
  type LabelLang,
} from '../../../../libs/contracts/src/index.js';
import { DAY_MS, localDay, TZ_OFFSET_MS } from '../counts/local-day.js';
import type { ExportRow } from './export-page-sql.js';
import { StreamingZip } from './streaming-zip.js';

/** Rows read per query: the export holds one page in memory at a time. */
const PAGE = 2000;
/** Data rows per XLSX sheet (Excel's limit is 1 048 576 rows, header included). */
const XLSX_ROWS_PER_SHEET = 1_000_000;

type Cells = (string | number)[];

/** A site's names, as SiteRegistry.names() gives them. */
export interface Names {
  site: string;
  zones: Map<string, string>;
  gates: Map<string, string>;
}

/** What an export reads: one keyset page after (occurredAt, eventId) `after`. */
export type ReadPage = (after: [number, string] | null, limit: number) => Promise<ExportRow[]>;

/**
 * Every event of a range as CSV or XLSX, written to a stream as it is read: keyset pages in
 * time order, the writer awaited (`drain`) so a slow client slows the reads instead of filling memory
 * (XLSX: through a deflater that is itself awaited).
 * No identity data: the columns are those of `EXPORT_COLUMNS`.
 */
export class ExportWriter {
  constructor(
    private readonly readPage: ReadPage,
    private readonly names: Names,
  ) {}

  /** The header row: machine column names, or words in the export's language. */
  header(q: ExportQuery): readonly string[] {
    return q.lang ? EXPORT_HEADERS[q.lang] : EXPORT_COLUMNS;
  }

  /** Pages of rows as cells (words when `lang` is given); `summary` (if given) sees every row. */
  async *rows(q: ExportQuery, summary?: Summary): AsyncGenerator<Cells[]> {
    const cells = q.lang ? wordedCells(q.lang, this.names) : toCells;
    let after: [number, string] | null = null;
    for (;;) {
      // Back to the event loop between pages (where this runs on the hub's own thread, a SQLite page is
      // read synchronously; in the export worker it lets the parent's acknowledgements in).
      await new Promise<void>((r) => setImmediate(r));
      const rows = await this.readPage(after, PAGE);
      if (rows.length === 0) return;
      if (summary) for (const r of rows) summary.add(r);
      yield rows.map(cells);
      const last = rows.at(-1)!;
      after = [Number(last.occurred_at), last.event_id];
      if (rows.length < PAGE) return;
    }
  }

  async writeCsv(q: ExportQuery, out: Writable): Promise<number> {
    let n = 0;
    // A byte-order mark so Excel opens the UTF-8 file with Vietnamese intact.
    await write(out, `\ufeff${this.header(q).map(csvCell).join(',')}\r\n`);
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
    // Worded exports also sum the rows per local day, per gate and per refusal reason as they stream by.
    const summary = q.lang ? new Summary(q, this.names) : undefined;
    const pages = this.rows(q, summary)[Symbol.asyncIterator]();
    const header = this.header(q);
    let carry: Cells[] = [];
    let n = 0;
    let done = false;
    let sheets = 0;
    // A sheet holds at most 1 048 576 rows: a longer export continues on events-2, events-3, …
    async function* sheetXml(): AsyncGenerator<string> {
      yield '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
      yield xlsxRow(1, header);
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
    const base = q.lang ? EXPORT_SHEETS[q.lang].events : 'events';
    const eventSheets = Array.from({ length: sheets }, (_, i) => ({ name: i === 0 ? base : `${base}-${i + 1}`, file: i + 1 }));
    // Summary sheets go after the events in the ZIP (they are complete only then) but first in the workbook.
    const summarySheets: { name: string; file: number }[] = [];
    if (summary) {
      for (const [name, rows] of summary.sheets()) {
        const file = sheets + summarySheets.length + 1;
        await zip.entry(`xl/worksheets/sheet${file}.xml`, [
          '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
          ...rows.map((cells, i) => xlsxRow(i + 1, cells)),
          '</sheetData></worksheet>',
        ]);
        summarySheets.push({ name, file });
      }
    }
    const ordered = [...summarySheets, ...eventSheets];
    const names = ordered.map((x) => x.name);
    await zip.entry('[Content_Types].xml', [
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>',
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>',
      ...ordered.map(
        (x) =>
          `<Override PartName="/xl/worksheets/sheet${x.file}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
      ),
      '</Types>',
    ]);
    await zip.entry('_rels/.rels', [
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">',
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    ]);
    await zip.entry('xl/workbook.xml', [
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>',
      ...names.map((name, i) => `<sheet name="${xmlText(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`),
      '</sheets></workbook>',
    ]);
    await zip.entry('xl/_rels/workbook.xml.rels', [
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">',
      ...ordered.map(
        (x, i) =>
          `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${x.file}.xml"/>`,
      ),
      '</Relationships>',
    ]);
    await zip.finish();
    return n;
  }
}

const COLUMN_LETTERS = EXPORT_COLUMNS.map((_, i) => String.fromCharCode(65 + i));

const reasonsOf = (r: ExportRow): string[] =>
  (typeof r.decision_json === 'string' ? (JSON.parse(r.decision_json) as { reasons?: string[] }) : r.decision_json)?.reasons ?? [];

/** A row in words: names for ids, the language's words for direction, source, outcome and reasons. */
function wordedCells(lang: LabelLang, names: Names): (r: ExportRow) => Cells {
  const outcome = (o: string | null) =>
    o === null ? '' : label(lang, `phase_${o === 'deny' ? 'denied' : o === 'review' ? 'awaiting_review' : o}`);
  return (r) => {
    const at = Number(r.occurred_at);
    return [
      r.event_id,
      new Date(at).toISOString(),
      new Date(at + TZ_OFFSET_MS).toISOString().replace('T', ' ').slice(0, 19),
      names.site,
      names.zones.get(r.zone_id) ?? r.zone_id,
      names.gates.get(r.gate_id) ?? r.gate_id,
      r.lane_id ?? '',
      label(lang, r.direction),
      label(lang, r.source),
      outcome(r.decision_outcome),
      reasonsOf(r)
        .map((c) => reasonLabel(lang, c))
        .join('; '),
    ];
  };
}

/**
 * The worded XLSX's summary sheets, summed as the rows stream by: entries, exits and refusals per local
 * day (every day of the range, empty ones too) and per gate, and refusals by reason — every reason of a
 * decision counted (a refusal for two reasons adds one to each).
 */
export class Summary {
  private readonly days = new Map<string, [number, number, number]>();
  private readonly gates = new Map<string, [number, number, number]>();
  private readonly reasons = new Map<string, number>();
  private readonly lang: LabelLang;

  constructor(
    q: ExportQuery,
    private readonly names: Names,
  ) {
    this.lang = q.lang ?? 'vi';
    for (let d = Date.parse(q.from); d < Date.parse(q.to); d += DAY_MS) this.days.set(localDay(d), [0, 0, 0]);
    this.days.set(localDay(Date.parse(q.to) - 1), [0, 0, 0]);
    for (const id of names.gates.keys()) this.gates.set(id, [0, 0, 0]);
  }

  add(r: ExportRow): void {
    const at = Number(r.occurred_at);
    const day = this.days.get(localDay(at)) ?? this.days.set(localDay(at), [0, 0, 0]).get(localDay(at))!;
    const gate = this.gates.get(r.gate_id) ?? this.gates.set(r.gate_id, [0, 0, 0]).get(r.gate_id)!;
    this.note(r);
    const i =
      r.decision_outcome === null || r.decision_outcome === 'open'
        ? r.direction === 'entry'
          ? 0
          : 1
        : r.decision_outcome === 'deny'
          ? 2
          : -1;
    if (i < 0) return;
    const k = i as 0 | 1 | 2;
    day[k]++;
    gate[k]++;
    if (k === 2) for (const c of reasonsOf(r)) this.reasons.set(c, (this.reasons.get(c) ?? 0) + 1);
  }

  /** [sheet name, rows (header first)] for each summary sheet. */
  sheets(): [string, Cells[]][] {
    const w = EXPORT_SHEETS[this.lang];
    const sum = (rows: [number, number, number][]) => rows.reduce((a, r) => [a[0] + r[0], a[1] + r[1], a[2] + r[2]], [0, 0, 0]);
    const days = [...this.days].sort(([a], [b]) => a.localeCompare(b));
    const gates = [...this.gates];
    const zoneOf = (gateId: string) => {
      const z = this.registryZone.get(gateId);
      return z ? (this.names.zones.get(z) ?? z) : '';
    };
    return [
      [w.days, [[...w.day], ...days.map(([d, v]) => [d, ...v]), [w.total, ...sum(days.map(([, v]) => v))]]],
      [
        w.gates,
        [
          [...w.gate],
          ...gates.map(([g, v]) => [this.names.gates.get(g) ?? g, zoneOf(g), ...v]),
          [w.total, '', ...sum(gates.map(([, v]) => v))],
        ],
      ],
      [w.reasons, [[...w.reason], ...[...this.reasons].sort((a, b) => b[1] - a[1]).map(([c, n]) => [reasonLabel(this.lang, c), n])]],
    ];
  }

  /** Gate id → zone id, learnt from the rows. */
  private readonly registryZone = new Map<string, string>();
  note(r: ExportRow): void {
    this.registryZone.set(r.gate_id, r.zone_id);
  }
}

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

// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** XML-escaped, without the control characters XML 1.0 cannot carry. */
function xmlText(s: string): string {
  return s.replace(XML_FORBIDDEN, '').replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function toCells(r: ExportRow): Cells {
  const at = Number(r.occurred_at);
  const d = typeof r.decision_json === 'string' ? (JSON.parse(r.decision_json) as { reasons?: string[] }) : r.decision_json;
  const local = new Date(at + TZ_OFFSET_MS).toISOString().replace('T', ' ').slice(0, 19);
  return [
    r.event_id,
    new Date(at).toISOString(),
    local,
    r.site_id,
    r.zone_id,
    r.gate_id,
    r.lane_id ?? '',
    r.direction,
    r.source,
    r.decision_outcome ?? '',
    (d?.reasons ?? []).join(';'),
  ];
}

/**
 * One CSV cell, safe in a spreadsheet whatever its list separator: a cell starting with =, +, -, @,
 * TAB or CR gets a leading ' (never run as a formula), and a cell holding a separator a spreadsheet
 * may split on (",", ";" in vi-VN Excel, TAB) or a quote or line break is quoted (RFC 4180), so a
 * gate's reasons joined with ";" (`ok;=1+1`) stay one cell that does not start with "=".
 */
export function csvCell(v: string | number): string {
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",;\t\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
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
