import { v7 } from 'uuid';

/** UUIDv7: time-ordered, so the hub's index stays append-mostly and ids sort by creation. */
export const newEventId = (): string => v7();
