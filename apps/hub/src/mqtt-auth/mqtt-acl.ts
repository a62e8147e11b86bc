import { TOPIC_ROOT, topics } from '../../../../libs/contracts/src/index.js';

/** Who an MQTT connection is: one gate, or the hub itself. */
export type MqttIdentity = { kind: 'gate'; siteId: string; gateId: string } | { kind: 'hub' };

const HUB_READ = [
  `${TOPIC_ROOT}/sites/+/gates/+/events`,
  `${TOPIC_ROOT}/sites/+/gates/+/status`,
  `${TOPIC_ROOT}/sites/+/gates/+/watchlist-resync`,
  `${TOPIC_ROOT}/sites/+/gates/+/lanes`,
  `${TOPIC_ROOT}/sites/+/gates/+/media-replies`,
  `${TOPIC_ROOT}/sites/+/gates/+/cameras/+/frames`,
];
const HUB_WRITE = [
  `${TOPIC_ROOT}/sites/+/gates/+/commands`,
  `${TOPIC_ROOT}/sites/+/watchlist`,
  `${TOPIC_ROOT}/sites/+/gates/+/media-requests`,
  `${TOPIC_ROOT}/sites/+/gates/+/camera-view`,
];

/** What each identity may do, as topic patterns; the aedes checks and the Mosquitto ACL file both come from here. */
export function aclOf(id: MqttIdentity): { write: string[]; read: string[] } {
  if (id.kind === 'hub') return { write: HUB_WRITE, read: HUB_READ };
  return {
    write: [
      topics.gateEvents(id.siteId, id.gateId),
      topics.gateStatus(id.siteId, id.gateId),
      topics.gateWatchlistResync(id.siteId, id.gateId),
      topics.gateLanes(id.siteId, id.gateId),
      topics.gateMediaReplies(id.siteId, id.gateId),
      // Frames of its own cameras only (the hub also drops camera ids the sites file does not list).
      topics.gateCameraFrames(id.siteId, id.gateId, '+'),
    ],
    read: [
      topics.gateCommands(id.siteId, id.gateId),
      topics.siteWatchlist(id.siteId),
      topics.gateMediaRequests(id.siteId, id.gateId),
      topics.gateCameraView(id.siteId, id.gateId),
    ],
  };
}

/** Does an ACL pattern (with + and #) cover a topic or a subscription filter? */
export function patternCovers(pattern: string, topic: string): boolean {
  const p = pattern.split('/');
  const t = topic.split('/');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '#') return true;
    if (i >= t.length) return false;
    // A wildcard in the requested filter is only covered by a wildcard in the pattern.
    if (p[i] === '+') {
      if (t[i] === '#') return false;
      continue;
    }
    if (p[i] !== t[i]) return false;
  }
  return p.length === t.length;
}

/** `$share/<group>/<filter>` is checked as `<filter>`. */
const unshare = (filter: string) => (filter.startsWith('$share/') ? filter.split('/').slice(2).join('/') : filter);

export const mayPublish = (id: MqttIdentity, topic: string) => aclOf(id).write.some((p) => patternCovers(p, topic));
export const maySubscribe = (id: MqttIdentity, filter: string) => aclOf(id).read.some((p) => patternCovers(p, unshare(filter)));
