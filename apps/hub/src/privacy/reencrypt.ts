import type { DataSource } from 'typeorm';
import { aad } from '../watchlist/watchlist-aad.js';
import { CipherColumnsRepository, type CipherColumnRef } from './cipher-columns.repository.js';
import { CiphertextError, type DataCipher } from './data-cipher.js';

interface CipherColumn extends CipherColumnRef {
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
    table: 'gate_events',
    pk: 'event_id',
    column: 'identity_json',
    aadFrom: 'event_id',
    aad: aad.eventIdentity,
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
export async function reencryptAll(
  db: DataSource,
  cipher: DataCipher,
  opts: { batch?: number; onBatch?: (r: ColumnReport) => void } = {},
): Promise<ColumnReport[]> {
  const repo = new CipherColumnsRepository(db);
  const batch = opts.batch ?? 500;
  const current = `g1:${cipher.keyRing.currentId}:%`;
  const out: ColumnReport[] = [];
  for (const c of CIPHER_COLUMNS) {
    const report: ColumnReport = { column: `${c.table}.${c.column}`, reencrypted: 0, encrypted: 0, failed: [] };
    let last: string | number | null = null;
    for (;;) {
      const rows = await repo.notUnderKey(c, current, last, batch);
      if (!rows.length) break;
      last = rows.at(-1)!.pk;
      await repo.transaction(async (m) => {
        for (const r of rows) {
          if (!cipher.isCiphertext(r.value)) {
            if (!c.legacyPlain) {
              report.failed.push(String(r.pk));
              continue;
            }
            const id = safe(() => c.legacyPlain!.idNumber(r.value));
            const enc = cipher.encrypt(r.value, c.aad(String(r.aad_id)));
            report.encrypted += await repo.replace(m, c, r.pk, r.value, enc, {
              column: c.legacyPlain.hmacColumn,
              value: id ? cipher.idHmac(id) : null,
            });
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
          report.reencrypted += await repo.replace(m, c, r.pk, r.value, cipher.encrypt(plain, c.aad(String(r.aad_id))));
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
