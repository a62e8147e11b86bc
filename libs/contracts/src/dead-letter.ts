/** Why the hub refused a message; each is a label on the `cg_ingest_rejected_total` metric. */
export const RejectReasons = [
  'oversized',
  'malformed_json',
  'schema',
  'topic_mismatch',
  'unknown_gate',
  'unknown_lane',
  'unknown_camera',
  'occurred_at_out_of_range',
  'unknown_topic',
] as const;
export type RejectReason = (typeof RejectReasons)[number];
