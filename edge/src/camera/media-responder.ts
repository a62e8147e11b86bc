import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { MqttClient } from 'mqtt';
import { dirname } from 'node:path';
import { MediaReplySchema, MediaRequestSchema, topics, type MediaReply, type MediaRequest } from '../../../libs/contracts/src/index.js';
import { EDGE_CONFIG } from '../config/edge-config.token.js';
import type { EdgeConfig } from '../config/edge-config.schema.js';
import { GateLinks } from '../mqtt/gate-links.js';
import { EncryptedMediaStore, loadMediaKey, mediaDirOf } from './media-store.js';

/**
 * Answers the hub's face-crop requests on one gate's link: `crop_get` sends one crop back (decrypted
 * here, in memory only, to the hub that asked on this gate's own topic; the broker ACL lets only the
 * hub ask), `crop_erase` deletes crops (a person-erase) and acknowledges, also when they were gone
 * already, so the hub's repeats until an acknowledgement are harmless.
 */
/** A log line: text, or `{ msg, …ids }` (the edge's JSON logs keep the ids as fields). */
export type MediaLog = (m: string | { msg: string; [field: string]: unknown }, level?: 'warn' | 'debug') => void;

export function attachMediaResponder(
  client: MqttClient,
  siteId: string,
  gateId: string,
  store: EncryptedMediaStore,
  log: MediaLog,
  onSubscribed: () => void = () => undefined,
): void {
  const requestTopic = topics.gateMediaRequests(siteId, gateId);
  const replyTopic = topics.gateMediaReplies(siteId, gateId);
  const subscribe = () =>
    client.subscribe(requestTopic, { qos: 1 }, (e) => {
      if (e) log(`gate ${gateId}: media request subscription failed: ${e.message}`);
      else onSubscribed();
    });
  client.on('connect', subscribe);
  if (client.connected) subscribe();
  const reply = (r: MediaReply) =>
    client.publish(
      replyTopic,
      JSON.stringify(MediaReplySchema.parse(r)),
      { qos: 1 },
      (e) => e && log(`gate ${gateId}: media reply not sent: ${e.message}`),
    );
  client.on('message', (topic, payload) => {
    if (topic !== requestTopic) return;
    let req: MediaRequest;
    try {
      req = MediaRequestSchema.parse(JSON.parse(payload.toString('utf8')));
    } catch (e) {
      return log(`gate ${gateId}: media request refused: ${(e as Error).message.slice(0, 200)}`);
    }
    // The hub's request id (and the event's id for a crop) on each line about it.
    const ids = { gateId, requestId: req.requestId, ...(req.type === 'crop_get' ? { eventId: req.eventId } : {}) };
    if (req.siteId !== siteId || req.gateId !== gateId)
      return log({ msg: `gate ${gateId}: media request for ${req.siteId}/${req.gateId} refused`, ...ids });
    void answer(req, store).then(
      (r) => {
        log(
          {
            msg: `gate ${gateId}: ${req.type} answered: ${r.type === 'crop' ? r.status : `${r.deleted} deleted, ${r.missing} missing`}`,
            ...ids,
          },
          'debug',
        );
        reply(r);
      },
      (e: Error) => {
        log({ msg: `gate ${gateId}: media request ${req.requestId} failed: ${e.message}`, ...ids });
        // An erase that failed (disk error) is not acknowledged: the hub sends it again.
        if (req.type === 'crop_get')
          reply({ type: 'crop', requestId: req.requestId, status: 'refused', reason: 'the crop could not be read' });
      },
    );
  });
}

async function answer(req: MediaRequest, store: EncryptedMediaStore): Promise<MediaReply> {
  if (req.type === 'crop_erase') {
    let deleted = 0;
    for (const ref of req.refs) if (await store.remove(ref)) deleted++;
    return { type: 'erase_ack', requestId: req.requestId, deleted, missing: req.refs.length - deleted };
  }
  const refuse = (reason: string): MediaReply => ({ type: 'crop', requestId: req.requestId, status: 'refused', reason });
  if (Date.parse(req.expiresAt) < Date.now()) return refuse('expired');
  // The crop of this event only (the edge names crops <camera>-<eventId>).
  if (!req.ref.endsWith(`-${req.eventId}.jpg`)) return refuse("the reference is not this event's crop");
  let jpeg: Buffer;
  try {
    jpeg = await store.read(req.ref);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { type: 'crop', requestId: req.requestId, status: 'not_found' };
    return refuse('the crop fails authentication (altered, or under another key)');
  }
  return { type: 'crop', requestId: req.requestId, status: 'ok', jpegBase64: jpeg.toString('base64') };
}

/** The edge's crop responder on every gate link (a gate without cameras answers "not found" and acknowledges erases). */
@Injectable()
export class MediaResponder implements OnApplicationBootstrap {
  private readonly log = new Logger('Media');

  constructor(
    @Inject(EDGE_CONFIG) private readonly cfg: EdgeConfig,
    private readonly links: GateLinks,
  ) {}

  onApplicationBootstrap(): void {
    let store: EncryptedMediaStore;
    try {
      store = new EncryptedMediaStore(mediaDirOf(), loadMediaKey(dirname(this.cfg.outbox.path)));
    } catch (e) {
      // The gates still work; the hub's crop requests time out and its erase orders wait (it resends).
      this.log.error(`face crops cannot be served or erased: ${(e as Error).message}`);
      return;
    }
    for (const [gateId, client] of this.links.entries())
      attachMediaResponder(client, this.cfg.site.id, gateId, store, (m, level = 'warn') => this.log[level](m));
  }
}
