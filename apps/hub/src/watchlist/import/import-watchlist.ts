import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import {
  describeSchemaError,
  WatchlistEntryCreateSchema,
  type EnrolmentPhotoResult,
  type WatchlistEnrolResult,
  type WatchlistImportReport,
  type WatchlistImportRow,
} from '../../../../../libs/contracts/src/index.js';
import { openPhotoSource } from './photo-source.js';

export interface ImportOptions {
  hubUrl: string;
  /** Access token of a security or admin user of the site. */
  token: string;
  siteId: string;
  csvPath: string;
  /** Folder or .zip with the photos the CSV names. */
  photosPath: string;
  /** Called after each row (progress bar). */
  onRow?: (done: number, total: number, row: WatchlistImportRow) => void;
}

const dateOrUndefined = (v: string | undefined) => (v ? (/T/.test(v) ? v : `${v}T00:00:00+07:00`) : undefined);

/**
 * Bulk import: each CSV row becomes one entry through the hub's REST API (the hub enrols the photos,
 * encrypts, audits and syncs the edges). A bad row — missing column, bad CCCD number, photo not found,
 * no usable face — is reported with its reason and the import goes on.
 */
export async function importWatchlist(o: ImportOptions): Promise<WatchlistImportReport> {
  const records = parse(readFileSync(o.csvPath), { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<
    string,
    string
  >[];
  const photos = await openPhotoSource(o.photosPath);
  const rows: WatchlistImportRow[] = [];
  try {
    for (let i = 0; i < records.length; i++) {
      const rec = records[i]!;
      const row = i + 2;
      const result = await importRow(o, rec, row, photos.get.bind(photos));
      rows.push(result);
      o.onRow?.(i + 1, records.length, result);
    }
  } finally {
    photos.close();
  }
  const imported = rows.filter((r) => r.status === 'imported').length;
  return { siteId: o.siteId, imported, rejected: rows.length - imported, rows };
}

async function importRow(
  o: ImportOptions,
  rec: Record<string, string>,
  row: number,
  photo: (n: string) => Buffer | undefined,
): Promise<WatchlistImportRow> {
  const names = (rec.photos ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  const missing = names.filter((n) => !photo(n));
  if (missing.length) return { row, status: 'rejected', reason: `photo not found: ${missing.join(', ')}` };
  const body = WatchlistEntryCreateSchema.safeParse({
    fullName: rec.full_name,
    idNumber: rec.id_number || undefined,
    reason: rec.reason || '',
    severity: rec.severity || undefined,
    listKind: rec.list_kind || undefined,
    validFrom: dateOrUndefined(rec.valid_from),
    validUntil: dateOrUndefined(rec.valid_until),
    source: rec.source || `import:${o.csvPath.split('/').pop()}`,
    photos: names.map((n) => photo(n)!.toString('base64')),
  });
  if (!body.success) return { row, status: 'rejected', reason: describeSchemaError(body.error) };
  const res = await fetch(`${o.hubUrl}/api/sites/${o.siteId}/watchlist`, {
    method: 'POST',
    headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body.data),
  });
  const refused = (ps: EnrolmentPhotoResult[]) =>
    ps
      .filter((p) => !p.accepted)
      .map((p) => `${names[p.index]}: ${p.reason}`)
      .join('; ');
  if (res.status === 201) {
    const r = (await res.json()) as WatchlistEnrolResult;
    const bad = refused(r.photos);
    return { row, status: 'imported', entryId: r.entry.entryId, ...(bad ? { reason: `some photos refused: ${bad}` } : {}) };
  }
  const err = (await res.json().catch(() => ({}))) as { message?: unknown; photos?: EnrolmentPhotoResult[] };
  const reason = err.photos?.length ? refused(err.photos) : String(err.message ?? `HTTP ${res.status}`);
  return { row, status: 'rejected', reason };
}
