import { Injectable } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import type { WatchlistEdgeEntry, WatchlistEntryView } from '../../../../libs/contracts/src/index.js';
import { decodeTemplate, encodeTemplate, type MatchEntry } from '../../../../libs/watchlist-match/src/index.js';
import { WatchlistEntryEntity, WatchlistTemplateEntity } from '../database/entities/index.js';
import { placeholders } from '../database/sql-dialect.js';
import { DataCipher } from '../privacy/data-cipher.js';
import { aad } from './watchlist-aad.js';

export interface NewTemplate {
  vector: Float32Array;
  faceModel: string;
  /** Aligned face crop, JPEG (stored encrypted). */
  crop?: Buffer;
}

/** A stored entry with its decrypted templates (in memory only). */
export interface LoadedEntry {
  row: WatchlistEntryEntity;
  templates: { vector: Float32Array; faceModel: string }[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const mask = (n: string) => `${n.slice(0, 4)}******${n.slice(-2)}`;

/** All watchlist I/O: rows, encrypted templates, and the shapes built from them. */
@Injectable()
export class WatchlistRepository {
  constructor(
    private readonly db: DataSource,
    private readonly cipher: DataCipher,
  ) {}

  /**
   * The next sequence number of a site's watchlist, inside the change's transaction `m`: one statement
   * takes the row lock (PostgreSQL) and allocates the number, so concurrent changes of a site commit in
   * sequence order.
   */
  async nextSeq(m: EntityManager, siteId: string): Promise<number> {
    const p = placeholders(this.db);
    const rows: { seq: number | string }[] = await m.query(
      `INSERT INTO watchlist_sync (site_id, seq) VALUES (${p(1)}, 1) ON CONFLICT (site_id) DO UPDATE SET seq = watchlist_sync.seq + 1 RETURNING seq`,
      [siteId],
    );
    return Number(rows[0]!.seq);
  }

  async insertTemplates(m: EntityManager, entryId: string, templates: readonly NewTemplate[]): Promise<void> {
    if (!templates.length) return;
    await m.getRepository(WatchlistTemplateEntity).insert(
      templates.map((t) => ({
        entryId,
        faceModel: t.faceModel,
        dims: t.vector.length,
        templateEnc: this.cipher.encrypt(Buffer.from(encodeTemplate(t.vector), 'base64'), aad.template(entryId)),
        cropEnc: t.crop ? this.cipher.encrypt(t.crop, aad.crop(entryId)) : null,
        createdAt: Date.now(),
      })),
    );
  }

  async find(entryId: string): Promise<WatchlistEntryEntity | null> {
    return this.db.getRepository(WatchlistEntryEntity).findOneBy({ id: entryId });
  }

  async load(rows: WatchlistEntryEntity[]): Promise<LoadedEntry[]> {
    if (!rows.length) return [];
    const tpl = await this.db
      .getRepository(WatchlistTemplateEntity)
      .find({ where: { entryId: In(rows.map((r) => r.id)) }, order: { id: 'ASC' } });
    const byEntry = new Map<string, LoadedEntry['templates']>();
    for (const t of tpl) {
      const vector = decodeTemplate(this.cipher.decrypt(t.templateEnc, aad.template(t.entryId)).toString('base64'));
      const list = byEntry.get(t.entryId) ?? [];
      list.push({ vector, faceModel: t.faceModel });
      byEntry.set(t.entryId, list);
    }
    return rows.map((row) => ({ row, templates: byEntry.get(row.id) ?? [] }));
  }

  async loadSite(siteId: string): Promise<LoadedEntry[]> {
    return this.load(await this.db.getRepository(WatchlistEntryEntity).find({ where: { siteId }, order: { id: 'ASC' } }));
  }

  async loadAll(): Promise<LoadedEntry[]> {
    return this.load(await this.db.getRepository(WatchlistEntryEntity).find({ order: { id: 'ASC' } }));
  }

  async templateCounts(entryIds: string[]): Promise<Map<string, number>> {
    if (!entryIds.length) return new Map();
    const rows: { entry_id: string; n: string | number }[] = await this.db
      .getRepository(WatchlistTemplateEntity)
      .createQueryBuilder('t')
      .select('t.entry_id', 'entry_id')
      .addSelect('COUNT(*)', 'n')
      .where('t.entry_id IN (:...ids)', { ids: entryIds })
      .groupBy('t.entry_id')
      .getRawMany();
    return new Map(rows.map((r) => [r.entry_id, Number(r.n)]));
  }

  fullName(row: WatchlistEntryEntity): string {
    return this.cipher.decryptString(row.fullNameEnc, aad.entryName(row.id));
  }

  idNumber(row: WatchlistEntryEntity): string | null {
    return row.idNumberEnc ? this.cipher.decryptString(row.idNumberEnc, aad.entryIdNumber(row.id)) : null;
  }

  view(row: WatchlistEntryEntity, templateCount: number): WatchlistEntryView {
    const id = this.idNumber(row);
    return {
      entryId: row.id,
      siteId: row.siteId,
      listKind: row.listKind,
      fullName: this.fullName(row),
      idNumberMasked: id ? mask(id) : null,
      reason: row.reason,
      severity: row.severity,
      source: row.source,
      validFrom: iso(row.validFrom),
      validUntil: iso(row.validUntil),
      templateCount,
      createdAt: new Date(row.createdAt).toISOString(),
      createdBy: row.createdBy,
      updatedAt: new Date(row.updatedAt).toISOString(),
      updatedBy: row.updatedBy,
    };
  }

  matchEntry(e: LoadedEntry): MatchEntry {
    return {
      entryId: e.row.id,
      listKind: e.row.listKind,
      severity: e.row.severity,
      idNumberHmac: e.row.idNumberHmac ?? undefined,
      templates: e.templates.map((t) => t.vector),
      validFrom: e.row.validFrom ?? undefined,
      validUntil: e.row.validUntil ?? undefined,
    };
  }

  /** What an edge gets: no name, no clear number. */
  edgeEntry(e: LoadedEntry): WatchlistEdgeEntry {
    return {
      entryId: e.row.id,
      listKind: e.row.listKind,
      severity: e.row.severity,
      ...(e.row.idNumberHmac ? { idNumberHmac: e.row.idNumberHmac } : {}),
      templates: e.templates.slice(0, 16).map((t) => encodeTemplate(t.vector)),
      ...(e.templates[0] ? { faceModel: e.templates[0].faceModel } : {}),
      ...(e.row.validFrom !== null ? { validFrom: new Date(e.row.validFrom).toISOString() } : {}),
      ...(e.row.validUntil !== null ? { validUntil: new Date(e.row.validUntil).toISOString() } : {}),
    };
  }
}
