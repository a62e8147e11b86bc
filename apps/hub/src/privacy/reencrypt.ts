import type { DataSource } from 'typeorm';
import { placeholders } from '../database/sql-dialect.js';
import { execCount } from '../database/sql-exec.js';
import { aad } from '../watchlist/watchlist-aad.js';
import { CiphertextError, type DataCipher } from './data-cipher.js';

interface CipherColumn {
  table: string;
  pk: string;
  column: string;
  /** Column the associated data is built from (the row id, or the entry id of a template). */
  aadFrom: string;
  aad: (id: string) => string;
  /** Clear text here predates encryption at rest (event identity before the watchlist migration). */
  legacyPlain?: { hmacColumn: string; idNumber: (plain: string) => string | undefined };
}

/** Every column holding a DataCipher ciphertext. A new one must be added here to be rotated. */
export const CIPHER_COLUMNS: readonly CipherColumn[] = [
  { table: 'watchlist_entries', pk: 'id', column: 'full_name_enc', aadFrom: 'id', aad: aad.entryName },
  { table: 'watchlist_entries', pk: 'id', column: 'id_number_enc', aadFrom: 'id', aad: aad.entryIdNumber },
  { table: 'watchlist_templates', pk: 'id', column: 'template_enc', aadFrom: 'entry_id', aad: aad.template },
  { table: 'watchlist_templates', pk: 'id', column: 'crop_enc', aadFrom: 'entry_id', aad: aad.crop },
  { table: 'alerts', pk: 'id', column: 'full_name_enc', aadFrom: 'id', aad: aad.alertName },
  { table: 'dead_letters', pk: 'id', column: 'payload_excerpt', aadFrom: 'ref', aad: aad.deadLetter },
  {
    table: 'gate_events', pk: 'event_id', column: 'identity_json', aadFrom: 'event_id', aad: aad.eventIdentity,
    legacyPlain: { hmacColumn: 'id_number_hmac', idNumber: (p) => (JSON.parse(p) as { idNumber?: string }).idNumber },
  },
];

export interface ColumnReport {
  column: string;
  reencrypted: number;
  /** Clear-text values encrypted for the first time. */
  encrypted: number;
  /** Values that failed authentication (tampered, moved) or whose key is gone: left as they are. */
  failed: string[];
}

/**
 * Re-encrypts, in batches, every ciphertext not under the cipher's current key (`hub:rotate-key`).
 * Each row is rewritten only if it still holds the value read (a hub writing meanwhile wins), and is
 * decrypted with its associated data first, so a tampered value is reported, never laundered into a
 * fresh valid ciphertext.
 */
export async function reencryptAll(db: DataSource, cipher: DataCipher, opts: { batch?: number; onBatch?: (r: ColumnReport) => void } = {}): Promise<ColumnReport[]> {
  const batch = opts.batch ?? 500;
  const current = `g1:${cipher.keyRing.currentId}:%`;
  const out: ColumnReport[] = [];
  for (const c of CIPHER_COLUMNS) {
    const report: ColumnReport = { column: `${c.table}.${c.column}`, reencrypted: 0, encrypted: 0, failed: [] };
    let last: string | number | null = null;
    for (;;) {
      const p = placeholders(db);
      const params: unknown[] = [current];
      let sql = `SELECT ${c.pk} AS pk, ${c.aadFrom} AS aad_id, ${c.column} AS value FROM ${c.table} WHERE ${c.column} IS NOT NULL AND ${c.column} NOT LIKE ${p(1)}`;
      if (last !== null) {
        sql += ` AND ${c.pk} > ${p(1)}`;
        params.push(last);
      }
      const rows: { pk: string | number; aad_id: string; value: string }[] = await db.query(`${sql} ORDER BY ${c.pk} LIMIT ${batch}`, params);
      if (!rows.length) break;
      last = rows.at(-1)!.pk;
      await db.transaction(async (m) => {
        for (const r of rows) {
          const where = `WHERE ${c.pk} = ? AND ${c.column} = ?`;
          if (!cipher.isCiphertext(r.value)) {
            if (!c.legacyPlain) {
              report.failed.push(String(r.pk));
              continue;
            }
            const id = safe(() => c.legacyPlain!.idNumber(r.value));
            const enc = cipher.encrypt(r.value, c.aad(String(r.aad_id)));
            const u = placeholders(db);
            report.encrypted += await execCount(m, `UPDATE ${c.table} SET ${c.column} = ${u(1)}, ${c.legacyPlain.hmacColumn} = COALESCE(${c.legacyPlain.hmacColumn}, ${u(1)}) ${where.replace(/\?/g, () => u(1))}`,
              [enc, id ? cipher.idHmac(id) : null, r.pk, r.value]);
            continue;
          }
          let plain: Buffer;
          try {
            plain = cipher.decrypt(r.value, c.aad(String(r.aad_id)));
          } catch (e) {
            if (!(e instanceof CiphertextError)) throw e;
            report.failed.push(String(r.pk));
            continue;
          }
          const u = placeholders(db);
          report.reencrypted += await execCount(m, `UPDATE ${c.table} SET ${c.column} = ${u(1)} ${where.replace(/\?/g, () => u(1))}`, [cipher.encrypt(plain, c.aad(String(r.aad_id))), r.pk, r.value]);
        }
      });
      opts.onBatch?.(report);
      if (rows.length < batch) break;
    }
    out.push(report);
  }
  return out;
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
