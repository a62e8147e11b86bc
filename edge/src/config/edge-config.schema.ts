import { z } from 'zod';
import { BrokerUrlSchema, brokerListIssues } from '../../../libs/config/src/broker-urls.js';
import { IdSchema, SiteKindSchema } from '../../../libs/contracts/src/index.js';
import { ActuatorConfigSchema } from '../actuators/actuator-config.schema.js';
import { GateSettingsSchema, LaneConfigSchema } from '../gate/lane-config.schema.js';

/** Where an edge's broker login goes instead of its URL. */
const EDGE_LOGIN = "mqtt.username/password or the gate's mqtt";

/** A camera as the edge config names it; edge/camera validates the source-specific fields. */
export const EdgeCameraRefSchema = z.looseObject({ id: IdSchema, kind: z.enum(['rtsp', 'onvif', 'file']) });

export const EdgeGateSchema = z.strictObject({
  id: IdSchema,
  zone: IdSchema,
  name: z.string().min(1),
  cameras: z.array(EdgeCameraRefSchema).default([]),
  /** Decision lanes (reader, camera, actuator, policy); a gate without lanes only counts. */
  lanes: z.array(LaneConfigSchema).optional(),
  /** This gate's own MQTT login issued by the hub (`npm run hub:gate-credentials`); else `mqtt.username/password`. */
  mqtt: z.strictObject({ username: z.string().min(1), password: z.string().min(1) }).optional(),
});

/** One edge box serves one site and one or more of its gates. */
export const EdgeConfigSchema = z
  .strictObject({
    site: z.strictObject({ id: IdSchema, name: z.string().min(1), kind: SiteKindSchema }),
    agent: z.strictObject({ id: IdSchema, version: z.string().default('0.1.0') }).default({ id: 'edge', version: '0.1.0' }),
    mqtt: z
      .strictObject({
        /** One broker. */
        url: BrokerUrlSchema('mqtt.url', EDGE_LOGIN).optional(),
        /**
         * Several nodes of one broker cluster (e.g. NATS): the gate connects to the first and, each time its
         * connection is lost, tries the next (mqtt.js's `servers` rotation). Exactly one of url/urls.
         */
        urls: z
          .array(BrokerUrlSchema('mqtt.urls', EDGE_LOGIN))
          .min(2, 'mqtt.urls lists at least two brokers (one broker: mqtt.url)')
          .optional(),
        username: z.string().optional(),
        password: z.string().optional(),
        /** PEM CA file for mqtts:// (TLS is a config switch). */
        caFile: z.string().optional(),
        reconnectMs: z.number().int().min(100).max(60_000).default(1000),
      })
      .superRefine((m, ctx) => {
        if ((m.url === undefined) === (m.urls === undefined))
          ctx.addIssue({
            code: 'custom',
            path: ['url'],
            message: 'give exactly one of mqtt.url (one broker) and mqtt.urls (the nodes of a cluster)',
          });
        if (!m.urls) return;
        for (const { index, message } of brokerListIssues(m.urls, 'mqtt.urls'))
          ctx.addIssue({ code: 'custom', path: ['urls', index], message });
      }),
    outbox: z
      .strictObject({
        path: z.string().default('./data/edge-outbox.db'),
        /** Messages published but not yet acknowledged by the broker. */
        maxInflight: z.number().int().min(1).max(1000).default(200),
        /** FULL survives power loss; NORMAL survives a process crash and is faster. */
        synchronous: z.enum(['FULL', 'NORMAL']).default('FULL'),
        /** At shutdown, how long to wait for PUBACKs already owed before closing (the rows stay either way). */
        shutdownAckWaitMs: z.number().int().min(0).max(30_000).default(2000),
      })
      .default({ path: './data/edge-outbox.db', maxInflight: 200, synchronous: 'FULL', shutdownAckWaitMs: 2000 }),
    zones: z
      .array(
        z.strictObject({
          id: IdSchema,
          name: z.string().min(1),
          /** No second entry without an exit. */ antiPassback: z.boolean().optional(),
        }),
      )
      .min(1),
    gates: z.array(EdgeGateSchema).min(1),
    /** Locks, turnstiles and barriers the lanes drive. */
    actuators: z.array(ActuatorConfigSchema).default([]),
    gate: GateSettingsSchema.default(GateSettingsSchema.parse({})),
    statusIntervalMs: z.number().int().min(1000).default(10_000),
  })
  .superRefine((cfg, ctx) => {
    const zones = new Set(cfg.zones.map((z) => z.id));
    const gates = new Set<string>();
    cfg.gates.forEach((g, i) => {
      if (!zones.has(g.zone)) ctx.addIssue({ code: 'custom', path: ['gates', i, 'zone'], message: `zone "${g.zone}" is not in zones` });
      if (gates.has(g.id)) ctx.addIssue({ code: 'custom', path: ['gates', i, 'id'], message: `gate "${g.id}" is listed twice` });
      gates.add(g.id);
      const acts = new Set(cfg.actuators.map((a) => a.id));
      (g.lanes ?? []).forEach((l, j) => {
        if (l.actuator && !acts.has(l.actuator))
          ctx.addIssue({
            code: 'custom',
            path: ['gates', i, 'lanes', j, 'actuator'],
            message: `actuator "${l.actuator}" is not in actuators`,
          });
      });
    });
  });
export type EdgeConfig = z.infer<typeof EdgeConfigSchema>;
/** The broker(s) an edge connects to, in the order it tries them. */
export const brokerUrls = (m: EdgeConfig['mqtt']): string[] => m.urls ?? [m.url!];
export type EdgeGate = z.infer<typeof EdgeGateSchema>;
