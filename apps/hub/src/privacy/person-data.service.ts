import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import {
  AttachmentSchema,
  MediaRefSchema,
  type PersonEraseResult,
  type PersonExport,
  type PersonRequest,
  type PersonSearchRequest,
  type PersonSearchResult,
} from '../../../../libs/contracts/src/index.js';
import { fold, NAME_SCAN_MAX } from '../events/events.repository.js';
import { AlertsRepository } from '../alerts/alerts.repository.js';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { AlertEntity, AlertSightingEntity, DeadLetterEntity, GateEventEntity, WatchlistEntryEntity } from '../database/entities/index.js';
import { DeadLetterService } from '../ingest/dead-letter.service.js';
import { aad } from '../watchlist/watchlist-aad.js';
import { WatchlistRepository } from '../watchlist/watchlist.repository.js';
import { WatchlistService } from '../watchlist/watchlist.service.js';
import { DataCipher } from './data-cipher.js';
import { EdgeMediaService } from './edge-media.service.js';

/** Keeps IN (…) lists well under SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 500;

interface PersonRows {
  hmac: string;
  entries: WatchlistEntryEntity[];
  events: GateEventEntity[];
  alerts: AlertEntity[];
  deadLetters: DeadLetterEntity[];
}

/** The edge face-crop references an event's attachments name. */
function cropRefs(json: string | null): string[] {
  if (!json) return [];
  try {
    return (JSON.parse(json) as unknown[]).flatMap((a) => {
      const r = AttachmentSchema.safeParse(a);
      return r.success && r.data.kind === 'face_crop' && MediaRefSchema.safeParse(r.data.ref).success ? [r.data.ref] : [];
    });
  } catch {
    return [];
  }
}

async function inChunks<T>(ids: string[], fn: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (const c of chunks(ids)) out.push(...(await fn(c)));
  return out;
}

function* chunks(ids: string[]): Generator<string[]> {
  for (let i = 0; i < ids.length; i += CHUNK) yield ids.slice(i, i + CHUNK);
}

/**
 * A data subject's requests (Decree 13/2023, art. 14–16): everything the hub holds about one CCCD
 * number, found through its HMAC (the clear number is stored nowhere unencrypted). The person's data:
 * their watchlist entries, events whose identity carries the number, alerts on either, the events
 * of those alerts unless marked false positive (a sighting of someone else), and refused messages
 * (dead letters) whose payload held the number. Both requests are audited
 * under the HMAC, never the number.
 */
@Injectable()
export class PersonDataService {
  constructor(
    private readonly db: DataSource,
    private readonly cipher: DataCipher,
    private readonly watchlistRepo: WatchlistRepository,
    private readonly watchlist: WatchlistService,
    private readonly alertsRepo: AlertsRepository,
    private readonly audit: AuditService,
    private readonly deadLetterService: DeadLetterService,
    private readonly edgeMedia: EdgeMediaService,
  ) {}

  async export(req: PersonRequest, actor: Principal | string): Promise<PersonExport> {
    const p = await this.find(req);
    const templates = await this.watchlistRepo.templateCounts(p.entries.map((r) => r.id));
    const out: PersonExport = {
      idNumber: req.idNumber,
      exportedAt: new Date().toISOString(),
      watchlistEntries: p.entries.map((r) => ({
        ...this.watchlistRepo.view(r, templates.get(r.id) ?? 0),
        idNumber: this.watchlistRepo.idNumber(r),
      })),
      events: p.events
        .filter((e) => e.identityJson)
        .map((e) => ({
          eventId: e.eventId,
          siteId: e.siteId,
          gateId: e.gateId,
          occurredAt: new Date(e.occurredAt).toISOString(),
          identity: JSON.parse(this.cipher.decryptString(e.identityJson!, aad.eventIdentity(e.eventId))) as Record<string, unknown>,
        })),
      alerts: p.alerts.map((a) => this.alertsRepo.view(a)),
      deadLetters: p.deadLetters.map((d) => {
        const v = this.deadLetterService.view(d);
        return {
          id: v.id,
          receivedAt: new Date(v.receivedAt).toISOString(),
          topic: v.topic,
          reason: v.reason,
          payloadExcerpt: v.payloadExcerpt,
        };
      }),
    };
    await this.audit.record({
      actor,
      action: 'person.export',
      subjectType: 'person',
      subjectId: p.hmac,
      siteId: req.siteId ?? null,
      detail: this.counts(p),
    });
    return out;
  }

  async erase(req: PersonRequest, actor: Principal | string): Promise<PersonEraseResult> {
    const p = await this.find(req);
    // Entries first: deleteRows also drops them from the matchers and sends the removal to the edges.
    await this.watchlist.deleteRows(p.entries);
    let eventIdentities = 0;
    let alerts = 0;
    let deadLetters = 0;
    // The face crops of those events live on the edges that took them: erase orders go with the erase.
    const crops = p.events.flatMap((e) => cropRefs(e.attachmentsJson).map((ref) => ({ siteId: e.siteId, gateId: e.gateId, ref })));
    let eraseIds: string[] = [];
    await this.db.transaction(async (m) => {
      eraseIds = await this.edgeMedia.recordErase(m, p.hmac, crops);
      for (const ids of chunks(p.deadLetters.map((d) => String(d.id))))
        deadLetters += (await m.getRepository(DeadLetterEntity).delete({ id: In(ids.map(Number)) })).affected ?? 0;
      // The event row stays (it was counted; counts live in count_minutes); who it was does not.
      for (const ids of chunks(p.events.map((e) => e.eventId)))
        eventIdentities +=
          (
            await m
              .getRepository(GateEventEntity)
              .update({ eventId: In(ids) }, { identityJson: null, idNumberHmac: null, attachmentsJson: null })
          ).affected ?? 0;
      for (const ids of chunks(p.alerts.map((a) => a.id))) {
        // The alert's timeline of sightings goes with it.
        await m.getRepository(AlertSightingEntity).delete({ alertId: In(ids) });
        alerts += (await m.getRepository(AlertEntity).delete({ id: In(ids) })).affected ?? 0;
      }
    });
    // Committed: the orders are sent now and again until each edge acknowledges (also after a restart).
    void this.edgeMedia.sendPendingErases();
    const edges = (await this.edgeMedia.eraseState(eraseIds, this.edgeMedia.waitMs)).map(({ siteId, gateId, crops: n, confirmed }) => ({
      siteId,
      gateId,
      crops: n,
      confirmed,
    }));
    const result: PersonEraseResult = {
      watchlistEntries: p.entries.length,
      eventIdentities,
      alerts,
      deadLetters,
      edgeCrops: crops.length,
      edges,
    };
    await this.audit.record({
      actor,
      action: 'person.erase',
      subjectType: 'person',
      subjectId: p.hmac,
      siteId: req.siteId ?? null,
      detail: { ...result, eraseRequests: eraseIds },
    });
    return result;
  }

  /**
   * Who the hub holds under a name (accents and case ignored, a part of the name is enough): watchlist
   * entries and event identities, decrypted here (they are stored encrypted), grouped by CCCD number so
   * the admin picks the person to export or erase. Events are read newest first, at most NAME_SCAN_MAX.
   * Audited as `person.search` with the name looked for and how many were found.
   */
  async searchByName(req: PersonSearchRequest, actor: Principal): Promise<PersonSearchResult> {
    const wanted = fold(req.name);
    const site = req.siteId ? { siteId: req.siteId } : {};
    const people = new Map<
      string,
      { idNumber: string; fullName: string; siteIds: Set<string>; watchlistEntries: number; events: number }
    >();
    const add = (idNumber: string | null | undefined, fullName: string, siteId: string, kind: 'watchlistEntries' | 'events') => {
      if (!idNumber || !fold(fullName).includes(wanted)) return;
      const p = people.get(idNumber) ?? { idNumber, fullName, siteIds: new Set<string>(), watchlistEntries: 0, events: 0 };
      p.siteIds.add(siteId);
      p[kind]++;
      people.set(idNumber, p);
    };
    for (const e of await this.db.getRepository(WatchlistEntryEntity).find({ where: site }))
      add(this.watchlistRepo.idNumber(e), this.watchlistRepo.fullName(e), e.siteId, 'watchlistEntries');
    const events = this.db.getRepository(GateEventEntity);
    let scanned = 0;
    let after: { at: number; id: string } | null = null;
    let complete = false;
    while (scanned < NAME_SCAN_MAX) {
      const qb = events.createQueryBuilder('e').where('e.identity_json IS NOT NULL');
      if (req.siteId) qb.andWhere('e.site_id = :siteId', { siteId: req.siteId });
      if (after) qb.andWhere('(e.occurred_at < :at OR (e.occurred_at = :at AND e.event_id < :id))', after);
      const rows = await qb
        .orderBy('e.occurred_at', 'DESC')
        .addOrderBy('e.event_id', 'DESC')
        .take(Math.min(1000, NAME_SCAN_MAX - scanned))
        .getMany();
      for (const e of rows) {
        try {
          const who = JSON.parse(this.cipher.decryptString(e.identityJson!, aad.eventIdentity(e.eventId))) as {
            idNumber?: string;
            fullName?: string;
          };
          add(who.idNumber, who.fullName ?? '', e.siteId, 'events');
        } catch {
          // An identity that cannot be read (a key gone) names nobody.
        }
      }
      scanned += rows.length;
      if (rows.length < 1000) {
        complete = true;
        break;
      }
      const last = rows.at(-1)!;
      after = { at: last.occurredAt, id: last.eventId };
    }
    const out = [...people.values()]
      .map((p) => ({ ...p, siteIds: [...p.siteIds].sort() }))
      .sort((a, b) => a.fullName.localeCompare(b.fullName, 'vi'));
    await this.audit.record({
      actor,
      action: 'person.search',
      subjectType: 'person',
      siteId: req.siteId ?? null,
      detail: { name: req.name, count: out.length },
    });
    return { people: out, scannedEvents: scanned, complete };
  }

  private counts(p: PersonRows) {
    return { watchlistEntries: p.entries.length, events: p.events.length, alerts: p.alerts.length, deadLetters: p.deadLetters.length };
  }

  private async find(req: PersonRequest): Promise<PersonRows> {
    const hmac = this.cipher.idHmac(req.idNumber);
    const site = req.siteId ? { siteId: req.siteId } : {};
    const entries = await this.db
      .getRepository(WatchlistEntryEntity)
      .find({ where: { idNumberHmac: hmac, ...site }, order: { createdAt: 'ASC' } });
    const alertRepo = this.db.getRepository(AlertEntity);
    const alertsById = new Map((await alertRepo.find({ where: { idNumberHmac: hmac, ...site } })).map((a) => [a.id, a]));
    for (const a of await inChunks(
      entries.map((e) => e.id),
      (ids) => alertRepo.find({ where: { entryId: In(ids), ...site } }),
    ))
      alertsById.set(a.id, a);
    const alerts = [...alertsById.values()].sort((x, y) => x.raisedAt - y.raisedAt || x.id.localeCompare(y.id));
    const eventRepo = this.db.getRepository(GateEventEntity);
    const eventsById = new Map((await eventRepo.find({ where: { idNumberHmac: hmac, ...site } })).map((e) => [e.eventId, e]));
    const sighted = alerts.filter((a) => a.status !== 'false_positive' && !eventsById.has(a.eventId)).map((a) => a.eventId);
    for (const e of await inChunks(sighted, (ids) => eventRepo.find({ where: { eventId: In(ids) } }))) eventsById.set(e.eventId, e);
    const events = [...eventsById.values()].sort((x, y) => x.occurredAt - y.occurredAt || x.eventId.localeCompare(y.eventId));
    // A refused message names no site the hub can trust: it is the person's wherever it came from.
    const deadLetters = await this.deadLetterService.findByIdHmac(hmac);
    return { hmac, entries, events, alerts, deadLetters };
  }
}
