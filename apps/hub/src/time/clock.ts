import { Injectable, type Provider } from '@nestjs/common';

/**
 * The hub's time where time decides (an event's accepted window, "today" of the tallies, what the
 * retention purge removes): injected, so a test or a replay can set it instead of waiting for it.
 */
export abstract class Clock {
  /** Epoch milliseconds. */
  abstract now(): number;
}

@Injectable()
export class SystemClock extends Clock {
  now(): number {
    return Date.now();
  }
}

export const clockProvider: Provider = { provide: Clock, useClass: SystemClock };
