import { Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type {
  WatchlistEnrolResult,
  WatchlistEntryCreate,
  WatchlistEntryUpdate,
  WatchlistEntryView,
  WatchlistListQuery,
  WatchlistPage,
} from '../../../../libs/contracts/src/index.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { WatchlistEntryEntity, WatchlistTemplateEntity } from '../database/entities/index.js';
import { DataCipher } from '../privacy/data-cipher.js';
import { FaceEnrolment } from './face-enrolment.service.js';
import { SiteMatchers } from './site-matchers.service.js';
import { aad } from './watchlist-aad.js';
import { ImageInputError } from '../../../../libs/face/src/index.js';
import { WatchlistSyncPublisher } from './watchlist-sync.publisher.js';
import { WatchlistRepository } from './watchlist.repository.js';

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : null);

/**
 * Watchlist use cases: enrol, change, remove, list. Every change updates the site's in-memory matcher,
 * goes to the edges as a delta, and is audited; every read of personal data is audited too.
 */
@Injectable()
export class WatchlistService {
  constructor(
    private readonly db: DataSource,
    private readonly repo: WatchlistRepository,
    private readonly cipher: DataCipher,
    private readonly enrolment: FaceEnrolment,
    private readonly matchers: SiteMatchers,
    private readonly sync: WatchlistSyncPublisher,
    private readonly audit: AuditService,
  ) {}

  async create(siteId: string, input: WatchlistEntryCreate, actor: Principal | string): Promise<WatchlistEnrolResult> {
    const photos = input.photos.map((p) => Buffer.from(p, 'base64'));
    const outcome = photos.length ? await this.enrolment.enrol(photos) : { results: [], templates: [] };
    if (photos.length && outcome.templates.length === 0)
      throw new UnprocessableEntityException({ statusCode: 422, message: 'no photo could be enrolled', photos: outcome.results });
    if (!photos.length && !input.idNumber)
      throw new UnprocessableEntityException({ statusCode: 422, message: 'an entry needs a photo or an idNumber to match on', photos: [] });
    const id = randomUUID();
    const now = Date.now();
    const by = typeof actor === 'string' ? actor : actor.name;
    const row: WatchlistEntryEntity = {
      id,
      siteId,
      listKind: input.listKind,
      fullNameEnc: this.cipher.encrypt(input.fullName, aad.entryName(id)),
      idNumberHmac: input.idNumber ? this.cipher.idHmac(input.idNumber) : null,
      idNumberEnc: input.idNumber ? this.cipher.encrypt(input.idNumber, aad.entryIdNumber(id)) : null,
      reason: input.reason,
      severity: input.severity,
      source: input.source,
      validFrom: ms(input.validFrom),
      validUntil: ms(input.validUntil),
      createdAt: now,
      createdBy: by,
      updatedAt: now,
      updatedBy: by,
    };
    await this.db.transaction(async (m) => {
      await m.getRepository(WatchlistEntryEntity).insert(row);
      await this.repo.insertTemplates(m, id, outcome.templates);
      await this.sync.recordChange(m, siteId, [id], []);
    });
    await this.changed(row);
    await this.audit.record({
      actor,
      action: 'watchlist.create',
      subjectType: 'watchlist_entry',
      subjectId: id,
      siteId: row.siteId,
      detail: { listKind: row.listKind, templates: outcome.templates.length },
    });
    return { entry: this.repo.view(row, outcome.templates.length), photos: outcome.results };
  }

  async update(siteId: string, entryId: string, patch: WatchlistEntryUpdate, actor: Principal): Promise<WatchlistEnrolResult> {
    const row = await this.entry(siteId, entryId);
    const photos = (patch.photos ?? []).map((p) => Buffer.from(p, 'base64'));
    const outcome = photos.length ? await this.enrolment.enrol(photos) : { results: [], templates: [] };
    if (photos.length && outcome.templates.length === 0)
      throw new UnprocessableEntityException({ statusCode: 422, message: 'no photo could be enrolled', photos: outcome.results });
    if (patch.listKind) row.listKind = patch.listKind;
    if (patch.fullName) row.fullNameEnc = this.cipher.encrypt(patch.fullName, aad.entryName(row.id));
    if (patch.idNumber !== undefined) {
      row.idNumberHmac = patch.idNumber ? this.cipher.idHmac(patch.idNumber) : null;
      row.idNumberEnc = patch.idNumber ? this.cipher.encrypt(patch.idNumber, aad.entryIdNumber(row.id)) : null;
    }
    if (patch.reason !== undefined) row.reason = patch.reason;
    if (patch.severity) row.severity = patch.severity;
    if (patch.source) row.source = patch.source;
    if (patch.validFrom !== undefined) row.validFrom = ms(patch.validFrom);
    if (patch.validUntil !== undefined) row.validUntil = ms(patch.validUntil);
    row.updatedAt = Date.now();
    row.updatedBy = actor.name;
    await this.db.transaction(async (m) => {
      await m.getRepository(WatchlistEntryEntity).save(row);
      await this.repo.insertTemplates(m, row.id, outcome.templates);
      await this.sync.recordChange(m, siteId, [row.id], []);
    });
    await this.changed(row);
    await this.audit.record({
      actor,
      action: 'watchlist.update',
      subjectType: 'watchlist_entry',
      subjectId: row.id,
      siteId,
      detail: { fields: Object.keys(patch).filter((k) => k !== 'photos'), addedTemplates: outcome.templates.length },
    });
    const counts = await this.repo.templateCounts([row.id]);
    return { entry: this.repo.view(row, counts.get(row.id) ?? 0), photos: outcome.results };
  }

  async remove(siteId: string, entryId: string, actor: Principal | string): Promise<void> {
    const row = await this.entry(siteId, entryId);
    await this.deleteRows([row]);
    await this.audit.record({ actor, action: 'watchlist.delete', subjectType: 'watchlist_entry', subjectId: row.id, siteId });
  }

  /** Deletes entries and their templates, then tells matchers and edges (also used by person erase). */
  async deleteRows(rows: WatchlistEntryEntity[]): Promise<void> {
    if (!rows.length) return;
    const bySite = new Map<string, string[]>();
    for (const r of rows) bySite.set(r.siteId, [...(bySite.get(r.siteId) ?? []), r.id]);
    await this.db.transaction(async (m) => {
      for (const r of rows) {
        await m.getRepository(WatchlistTemplateEntity).delete({ entryId: r.id });
        await m.getRepository(WatchlistEntryEntity).delete({ id: r.id });
      }
      // The removal reaches the edges with the deletion or not at all (an erasure is never left behind).
      for (const [siteId, ids] of bySite) await this.sync.recordChange(m, siteId, [], ids);
    });
    for (const r of rows) this.matchers.remove(r.siteId, r.id);
    void this.sync.publishPending();
  }

  async get(siteId: string, entryId: string, actor: Principal): Promise<WatchlistEntryView> {
    const row = await this.entry(siteId, entryId);
    await this.audit.record({ actor, action: 'watchlist.read', subjectType: 'watchlist_entry', subjectId: row.id, siteId });
    return this.repo.view(row, (await this.repo.templateCounts([row.id])).get(row.id) ?? 0);
  }

  async list(q: WatchlistListQuery, actor: Principal): Promise<WatchlistPage> {
    const [rows, total] = await this.db.getRepository(WatchlistEntryEntity).findAndCount({
      where: { siteId: q.siteId, ...(q.listKind ? { listKind: q.listKind } : {}) },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: q.limit,
      skip: q.offset,
    });
    const counts = await this.repo.templateCounts(rows.map((r) => r.id));
    await this.audit.record({
      actor,
      action: 'watchlist.list',
      subjectType: 'watchlist_entry',
      siteId: q.siteId,
      detail: { count: rows.length, offset: q.offset },
    });
    return { items: rows.map((r) => this.repo.view(r, counts.get(r.id) ?? 0)), total };
  }

  /** 1:N search with a probe photo (who is this?): the best active entries of the site. */
  async search(siteId: string, photo: Buffer, actor: Principal): Promise<{ entry: WatchlistEntryView; similarity: number }[]> {
    // Refused like an enrolment photo, with the reason: empty, undecodable, too large, not a photo format.
    const refuse = (refusal: string, reason: string) =>
      new UnprocessableEntityException({ statusCode: 422, message: reason, photos: [{ index: 0, accepted: false, refusal, reason }] });
    if (photo.length === 0) throw refuse('image', 'not a usable image (empty): the photo has no data');
    let probe: Float32Array | undefined;
    try {
      probe = await this.enrolment.probe(photo);
    } catch (e) {
      if (e instanceof ImageInputError) throw refuse('image', `not a usable image (${e.code}): ${e.message}`);
      throw e;
    }
    if (!probe) throw refuse('no-face', 'no face found in the photo');
    const hits = this.matchers.site(siteId).matchFace(probe, { threshold: this.enrolment.searchThreshold });
    const rows = await Promise.all(hits.map((h) => this.repo.find(h.entry.entryId)));
    const counts = await this.repo.templateCounts(hits.map((h) => h.entry.entryId));
    await this.audit.record({ actor, action: 'watchlist.search', subjectType: 'watchlist_entry', siteId, detail: { hits: hits.length } });
    return hits.flatMap((h, i) =>
      rows[i] ? [{ entry: this.repo.view(rows[i]!, counts.get(h.entry.entryId) ?? 0), similarity: h.similarity }] : [],
    );
  }

  private async entry(siteId: string, entryId: string): Promise<WatchlistEntryEntity> {
    const row = await this.repo.find(entryId);
    if (!row || row.siteId !== siteId) throw new NotFoundException(`no watchlist entry ${entryId} at site ${siteId}`);
    return row;
  }

  /** After the commit: the hub's matcher, then the edges (from the outbox). */
  private async changed(row: WatchlistEntryEntity): Promise<void> {
    const [loaded] = await this.repo.load([row]);
    this.matchers.upsert(row.siteId, this.repo.matchEntry(loaded!));
    // Not awaited: a broker that is down delays the edges, not the answer (the outbox keeps the change).
    void this.sync.publishPending();
  }
}
