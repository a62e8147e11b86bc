import { PcscMonitor, type CscaTrustStore } from '../../../libs/cccd/src/index.js';
import { ChipCard } from './chip-card.js';
import type { Lane } from './lane.js';

/**
 * Binds PC/SC readers to lanes by reader name (exact, or `/regex/`): a card inserted in a lane's
 * reader is connected and handed to the lane; a removal tells the lane at once (mid-read aborts).
 */
export class PcscCardSlots {
  private monitor: PcscMonitor | undefined;

  constructor(private readonly lanes: readonly { lane: Lane; reader: string }[], private readonly trustStore: CscaTrustStore, private readonly onError: (e: Error) => void) {}

  start(): void {
    if (this.lanes.length === 0) return;
    const m = new PcscMonitor();
    this.monitor = m;
    m.on('error', this.onError);
    m.on('card-inserted', (ev) => {
      const lane = this.laneOf(ev.reader);
      if (!lane) return;
      m.connect(ev.reader).then(
        (t) => lane.cardInserted(new ChipCard(t, this.trustStore)),
        (e: Error) => this.onError(e),
      );
    });
    m.on('card-removed', (ev) => this.laneOf(ev.reader)?.cardRemoved());
  }

  private laneOf(reader: string): Lane | undefined {
    return this.lanes.find((l) => (l.reader.startsWith('/') && l.reader.endsWith('/') ? new RegExp(l.reader.slice(1, -1)).test(reader) : l.reader === reader))?.lane;
  }

  stop(): void {
    this.monitor?.close();
  }
}
