import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Aedes, type Client } from 'aedes';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { DataSource } from 'typeorm';
import { isGateClientId, isGateClientIdOf, parseGateTopic } from '../../../../libs/contracts/src/index.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';
import { mayPublish, maySubscribe, type MqttIdentity } from '../mqtt-auth/mqtt-acl.js';
import { MqttCredentialStore } from '../mqtt-auth/mqtt-credential-store.js';
import { MqttSizeGuard, type OversizeVerdict } from './mqtt-size-guard.js';
import type { Oversize } from './payload-limits.js';

const isGateEventsTopic = (topic: string) => parseGateTopic(topic)?.kind === 'events';

/** The identity authenticate() established, kept on the aedes client. */
const IDENTITY = Symbol('cg.mqttIdentity');
type AuthedClient = Client & { [IDENTITY]?: MqttIdentity & { username: string } };

/**
 * The embedded MQTT broker (aedes) used when MQTT_URL is unset (started by EmbeddedMqtt, the hub's MQTT
 * port on this broker, embedded-mqtt.ts): gates connect to the hub itself. An
 * event is stored before its PUBACK goes out (in the publish authorisation hook, see below), so a hub
 * killed at any moment loses nothing a gate deleted; the messages of a socket read are handled
 * concurrently and the batcher commits them together.
 *
 * Every connection logs in with credentials the hub issued (no anonymous access) and is held to the
 * ACL of mqtt-acl.ts: a gate publishes only its own events/status and subscribes only to its own
 * commands and its site's watchlist. A refused publish closes the connection (aedes' behaviour); a
 * refused subscription gets a failure return code in SUBACK. A gate connects only with its own client
 * id (libs/contracts mqtt-names.ts), so it cannot take over another gate's session.
 */
@Injectable()
export class EmbeddedBroker implements OnApplicationShutdown {
  private readonly log = new Logger('Broker');
  private aedes: Aedes | null = null;
  private server: Server | null = null;

  private readonly credentials: MqttCredentialStore;
  /** The ingest transport's handler, installed when it starts listening (EmbeddedMqtt.openIngest). */
  private ingest: ((topic: string, payload: Buffer) => Promise<void> | void) | null = null;
  private ingestReady!: () => void;
  /** Gates that publish before the ingest transport listens wait here (unacknowledged), not dropped. */
  private readonly ingestInstalled = new Promise<void>((r) => (this.ingestReady = r));

  constructor(
    @Inject(HUB_CONFIG) private readonly cfg: HubConfig,
    db: DataSource,
  ) {
    this.credentials = new MqttCredentialStore(db);
  }

  /** The one consumer of gate events and status on this broker: events from the publish hook, status by subscription. */
  async setIngestHandler(handler: (topic: string, payload: Buffer) => Promise<void> | void, statusFilter: string): Promise<void> {
    const aedes = this.aedes;
    if (!aedes) return;
    this.ingest = handler;
    await new Promise<void>((r) =>
      aedes.subscribe(
        statusFilter,
        (packet: { topic: string; payload: Buffer | string }, cb: () => void) => {
          Promise.resolve()
            .then(() => handler(packet.topic, toBuffer(packet.payload)))
            .then(cb, (e: Error) => {
              this.log.error(`ingest failed on ${packet.topic}: ${e.message}`);
              cb();
            });
        },
        r,
      ),
    );
    this.ingestReady();
  }

  /** Starts aedes and its listener (EmbeddedMqtt does, once, when it is the chosen MQTT port). */
  async start(): Promise<void> {
    const aedes = await Aedes.createBroker({
      concurrency: 1000,
      authenticate: (client: AuthedClient, username, password, done) => {
        const refuse = () => done(Object.assign(new Error('bad username or password'), { returnCode: 4 as const }), false);
        if (!username || !password) return refuse();
        this.credentials.verify(username, password.toString('utf8')).then(
          (id) => {
            if (!id) {
              this.refusedLogin(username, client.id);
              return refuse();
            }
            // A client id is the session: connecting with another gate's id would kick that gate off
            // (takeover) and resume its session, so each login keeps to its own ids.
            if (id.kind === 'gate' ? !isGateClientIdOf(username, client.id) : isGateClientId(client.id)) {
              this.log.warn(
                `MQTT client id "${client.id.slice(0, 140)}" refused for "${username}": ${id.kind === 'gate' ? 'a gate connects as its own name or <name>:<suffix>' : 'gate client ids are reserved for gates'}`,
              );
              return done(Object.assign(new Error('client identifier rejected'), { returnCode: 2 as const }), false);
            }
            client[IDENTITY] = { ...id, username };
            done(null, true);
          },
          () => refuse(),
        );
      },
      authorizePublish: (client: AuthedClient | null, packet, done) => {
        // client is null for messages the hub publishes in-process.
        const id = client?.[IDENTITY];
        if (!client) return done(null);
        if (!id || !mayPublish(id, packet.topic)) {
          this.log.warn(`MQTT publish to ${packet.topic} refused for ${id?.username ?? client.id}`);
          return done(new Error('publish not authorised'));
        }
        // aedes writes the PUBACK as soon as this hook says yes, before any subscriber sees the
        // message, and the edge deletes the outbox row on that PUBACK. So an event is stored here
        // first: the hook answers only once the batch holding it is committed (or the message is
        // dead-lettered), and a hub killed before that sends no PUBACK, so the edge sends it again.
        if (!isGateEventsTopic(packet.topic)) return done(null);
        const payload = toBuffer(packet.payload);
        this.ingestInstalled
          .then(() => this.ingest!(packet.topic, payload))
          .then(
            () => done(null),
            (e: Error) => {
              this.log.error(`ingest failed on ${packet.topic}: ${e.message}`);
              done(null);
            },
          );
      },
      authorizeSubscribe: (client: AuthedClient, sub, done) => {
        const id = client[IDENTITY];
        if (id && maySubscribe(id, sub.topic)) return done(null, sub);
        this.log.warn(`MQTT subscription to ${sub.topic} refused for ${id?.username ?? client.id}`);
        done(null, null);
      },
    });
    this.aedes = aedes;
    // Events are stored in authorizePublish (above); status messages (setIngestHandler) only update the live view.
    const { embeddedMqttTlsCert: cert, embeddedMqttTlsKey: key } = this.cfg;
    // Every connection through the size guard: an oversized PUBLISH is refused from its header, before
    // aedes parses or buffers it (payload-limits.ts).
    const handle = (socket: import('node:net').Socket) =>
      aedes.handle(new MqttSizeGuard(socket, (o, guard) => this.oversize(o, guard.client as AuthedClient | undefined)) as never);
    this.server = cert && key ? createTlsServer({ cert: readFileSync(cert), key: readFileSync(key) }, handle) : createServer(handle);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', (e) =>
        reject(new Error(`embedded MQTT broker cannot listen on ${this.cfg.embeddedMqttHost}:${this.cfg.embeddedMqttPort}: ${e.message}`)),
      );
      this.server!.listen(this.cfg.embeddedMqttPort, this.cfg.embeddedMqttHost, resolve);
    });
    this.log.log(`embedded MQTT broker listening on ${cert && key ? 'mqtts' : 'mqtt'}://${this.cfg.embeddedMqttHost}:${this.port}`);
  }

  private refusedLast = 0;
  private refusedSince = 0;

  /** One WARN line a second at most for refused logins, with how many more were refused meanwhile (a guessing loop must not flood the log). */
  private refusedLogin(username: string, clientId: string): void {
    const now = Date.now();
    if (now - this.refusedLast < 1000) {
      this.refusedSince++;
      return;
    }
    const more = this.refusedSince ? ` (+${this.refusedSince} more refused since the last line)` : '';
    this.log.warn(`MQTT login refused for "${username.slice(0, 140)}" (client ${clientId.slice(0, 140)})${more}`);
    this.refusedLast = now;
    this.refusedSince = 0;
  }

  /** Where oversized messages go (dead letters; set by PayloadLimitWiring). */
  onOversize: ((o: Oversize, from: string) => void) | null = null;

  /** A logged-in gate's oversized publish to a topic it may use: dropped (acknowledged) and reported; anything else closes the connection. */
  private oversize(o: Oversize, client: AuthedClient | undefined): OversizeVerdict {
    const id = client?.[IDENTITY];
    if (!id || !mayPublish(id, o.topic)) return 'close';
    this.onOversize?.(o, id.username);
    return 'drop';
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Closes the connections logged in as this username (its credentials were revoked or rotated). */
  disconnect(username: string): void {
    const clients = (this.aedes as unknown as { clients?: Record<string, AuthedClient> } | null)?.clients ?? {};
    for (const c of Object.values(clients)) if (c[IDENTITY]?.username === username) c.close();
  }

  get instance(): Aedes | null {
    return this.aedes;
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise<void>((r) => (this.aedes ? this.aedes.close(() => r()) : r()));
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

function toBuffer(p: Buffer | string | Uint8Array): Buffer {
  return Buffer.isBuffer(p) ? p : Buffer.from(p);
}
