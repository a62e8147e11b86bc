/** Largest MQTT payload the hub will parse; larger ones go to the dead-letter table unparsed. */
export const MAX_EVENT_PAYLOAD_BYTES = 64 * 1024;
/** How much of a rejected payload the dead-letter table keeps. */
export const DEAD_LETTER_KEEP_BYTES = 2 * 1024;
