import type { Id } from './ids.js';

/** Versioned topic tree. Every producer and consumer builds and parses topics here, nowhere else. */
export const TOPIC_ROOT = 'cg/v1';

export type GateTopicKind = 'events' | 'status' | 'commands' | 'lanes';

export const topics = {
  gateEvents: (siteId: Id, gateId: Id) => `${TOPIC_ROOT}/sites/${siteId}/gates/${gateId}/events`,
  gateStatus: (siteId: Id, gateId: Id) => `${TOPIC_ROOT}/sites/${siteId}/gates/${gateId}/status`,
  gateCommands: (siteId: Id, gateId: Id) => `${TOPIC_ROOT}/sites/${siteId}/gates/${gateId}/commands`,
  /** Edge → hub, QoS 0, not retained: live lane state for the operator console (small JPEG crops). */
  gateLanes: (siteId: Id, gateId: Id) => `${TOPIC_ROOT}/sites/${siteId}/gates/${gateId}/lanes`,
  siteWatchlist: (siteId: Id) => `${TOPIC_ROOT}/sites/${siteId}/watchlist`,
  /** Edge → hub: "send me the full watchlist" (under the gate's own prefix, so the gate ACL allows it). */
  gateWatchlistResync: (siteId: Id, gateId: Id) => `${TOPIC_ROOT}/sites/${siteId}/gates/${gateId}/watchlist-resync`,
  /** Hub → edge, QoS 1: fetch or erase face crops the edge keeps (MediaRequestSchema). */
  gateMediaRequests: (siteId: Id, gateId: Id) => `${TOPIC_ROOT}/sites/${siteId}/gates/${gateId}/media-requests`,
  /** Edge → hub, QoS 1: the answers (MediaReplySchema). */
  gateMediaReplies: (siteId: Id, gateId: Id) => `${TOPIC_ROOT}/sites/${siteId}/gates/${gateId}/media-replies`,
  /** Hub → edge, QoS 0: a view lease ("send this camera's frames until …"), see camera-view.ts. */
  gateCameraView: (siteId: Id, gateId: Id) => `${TOPIC_ROOT}/sites/${siteId}/gates/${gateId}/camera-view`,
  /** Edge → hub, QoS 0, not retained: annotated low-rate frames of one camera while a lease holds. */
  gateCameraFrames: (siteId: Id, gateId: Id, cameraId: Id) => `${TOPIC_ROOT}/sites/${siteId}/gates/${gateId}/cameras/${cameraId}/frames`,
} as const;

/** Subscription filters used by the hub. */
export const topicFilters = {
  allGateEvents: `${TOPIC_ROOT}/sites/+/gates/+/events`,
  allGateStatus: `${TOPIC_ROOT}/sites/+/gates/+/status`,
  allWatchlistResync: `${TOPIC_ROOT}/sites/+/gates/+/watchlist-resync`,
  allGateLanes: `${TOPIC_ROOT}/sites/+/gates/+/lanes`,
  allGateMediaReplies: `${TOPIC_ROOT}/sites/+/gates/+/media-replies`,
  allCameraFrames: `${TOPIC_ROOT}/sites/+/gates/+/cameras/+/frames`,
  /** Shared subscription: several hub instances split the event load (MQTT v5 / Mosquitto). */
  sharedGateEvents: (group: string) => `$share/${group}/${TOPIC_ROOT}/sites/+/gates/+/events`,
} as const;

const GATE_TOPIC = new RegExp(`^${TOPIC_ROOT}/sites/([^/]+)/gates/([^/]+)/(events|status|commands|lanes)$`);

const RESYNC_TOPIC = new RegExp(`^${TOPIC_ROOT}/sites/([^/]+)/gates/([^/]+)/watchlist-resync$`);

/** The gate a watchlist resync request came from: the topic (which the broker ACL ties to the gate's login) decides, never the body. */
export function parseResyncTopic(topic: string): { siteId: string; gateId: string } | null {
  const m = RESYNC_TOPIC.exec(topic);
  return m ? { siteId: m[1]!, gateId: m[2]! } : null;
}

const MEDIA_REPLY_TOPIC = new RegExp(`^${TOPIC_ROOT}/sites/([^/]+)/gates/([^/]+)/media-replies$`);

/** The gate a media reply came from (the topic, tied to the gate's login by the broker ACL, decides). */
export function parseMediaReplyTopic(topic: string): { siteId: string; gateId: string } | null {
  const m = MEDIA_REPLY_TOPIC.exec(topic);
  return m ? { siteId: m[1]!, gateId: m[2]! } : null;
}

const FRAMES_TOPIC = new RegExp(`^${TOPIC_ROOT}/sites/([^/]+)/gates/([^/]+)/cameras/([^/]+)/frames$`);

/** The gate and camera a frame came from (the broker ACL ties the gate part to the gate's login). */
export function parseCameraFramesTopic(topic: string): { siteId: string; gateId: string; cameraId: string } | null {
  const m = FRAMES_TOPIC.exec(topic);
  return m ? { siteId: m[1]!, gateId: m[2]!, cameraId: m[3]! } : null;
}

export interface ParsedGateTopic {
  siteId: string;
  gateId: string;
  kind: GateTopicKind;
}

/** Returns null for any topic outside the gate tree. */
export function parseGateTopic(topic: string): ParsedGateTopic | null {
  const m = GATE_TOPIC.exec(topic);
  if (!m) return null;
  return { siteId: m[1]!, gateId: m[2]!, kind: m[3] as GateTopicKind };
}
