import { CAMERA_VIEW, MAX_CROP_BASE64, MAX_EVENT_PAYLOAD_BYTES, TOPIC_ROOT } from '../../../../libs/contracts/src/index.js';

/**
 * The largest payload the hub accepts per MQTT topic kind, checked from the packet's length before
 * anything is parsed (mqtt-size-guard.ts on the embedded broker's sockets, HubMqtt on an external
 * broker's messages). Larger messages are dead-lettered (`oversized`) with their size, never parsed
 * or buffered whole. Each limit is several times what a well-behaved gate sends.
 */
export const PAYLOAD_LIMITS = {
  /** One gate event (a face template is at most 8 KiB of base64). */
  events: MAX_EVENT_PAYLOAD_BYTES,
  /** A gate's status: cameras, lanes and their devices. */
  status: 64 * 1024,
  /** A lane's state (door, counters, last decision). */
  lanes: 16 * 1024,
  /** A gate asking for a watchlist snapshot. */
  'watchlist-resync': 4 * 1024,
  /** A crop from the edge's media store: its base64 JPEG plus the envelope. */
  'media-replies': MAX_CROP_BASE64 + 16 * 1024,
  /** One live-view frame: its base64 JPEG plus the envelope. */
  frames: Math.ceil(CAMERA_VIEW.maxJpegBytes / 3) * 4 + 16 * 1024,
  /** Anything else a gate may publish or the hub may receive. */
  other: 16 * 1024,
} as const;

export type PayloadKind = keyof typeof PAYLOAD_LIMITS;

/**
 * The limit the shipped broker configs enforce for every message (Mosquitto `message_size_limit`, NATS
 * `max_payload`): the largest kind's, so the broker refuses what no kind allows before it reaches the
 * hub. deploy/mosquitto/mosquitto.conf and deploy/nats/nats.conf carry this number (a spec checks it).
 */
export const BROKER_MAX_PAYLOAD = Math.max(...Object.values(PAYLOAD_LIMITS));

const GATE_TOPIC = new RegExp(
  `^${TOPIC_ROOT}/sites/[^/]+/gates/[^/]+/(events|status|lanes|watchlist-resync|media-replies|cameras/[^/]+/frames)$`,
);

/** The topic's kind for its size limit. */
export function payloadKind(topic: string): PayloadKind {
  const m = GATE_TOPIC.exec(topic);
  if (!m) return 'other';
  return m[1]!.startsWith('cameras/') ? 'frames' : (m[1] as PayloadKind);
}

export interface Oversize {
  topic: string;
  kind: PayloadKind;
  bytes: number;
  limit: number;
}

/** null when `bytes` of payload are allowed on `topic`; otherwise what to dead-letter. */
export function checkPayloadSize(topic: string, bytes: number): Oversize | null {
  const kind = payloadKind(topic);
  const limit = PAYLOAD_LIMITS[kind];
  return bytes > limit ? { topic, kind, bytes, limit } : null;
}

/** The dead letter's detail line for an oversized message. */
export const oversizeDetail = (o: Oversize) => `${o.bytes} bytes on a ${o.kind} topic, limit ${o.limit}; refused before parsing`;
