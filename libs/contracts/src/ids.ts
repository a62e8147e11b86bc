import { z } from 'zod';

/** Site, zone, gate and lane ids appear in MQTT topics, so they may not contain `/`, `+` or `#`. */
export const IdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'ids are 1–63 chars of a-z, 0-9, "-" or "_", starting with a letter or digit');
export type Id = z.infer<typeof IdSchema>;

/** Event ids are UUIDv7 made at the edge: time-ordered, unique across gates, the dedupe key in the hub. */
export const EventIdSchema = z.uuid({ version: 'v7', message: 'eventId must be a UUIDv7' });

export const IsoTimeSchema = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 timestamp with a zone' });
