import { PcscMonitor, type CscaTrustStore } from '../../../libs/cccd/src/index.js';
import type { CardReaderHealth } from '../../../libs/contracts/src/index.js';
import { ChipCard } from './chip-card.js';
import type { Lane } from './lane.js';

/** A lane's reader setting: an exact PC/SC name or `/regex/`. */
const matches = (pattern: string, name: string) =>
  pattern.startsWith('/') && pattern.endsWith('/') ? new RegExp(pattern.slice(1, -1)).test(name) : pattern === name;

/**
 * Binds PC/SC readers to lanes by reader name (exact, or `/regex/`): a card inserted in a lane's
 * reader is connected and handed to the lane; a removal tells the lane at once (mid-read aborts).
 */
export class PcscCardSlots {
  private monitor: PcscMonitor | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastProblem = '';
  private delayMs: number;
  /** Tries to reach pcscd so far. */
  attempts = 0;

  constructor(
    private readonly lanes: readonly { lane: Lane; reader: string }[],
    private readonly trustStore: CscaTrustStore,
    private readonly onError: (e: Error) => void,
    private readonly opts: { socketPath?: string; retryMs?: number; maxRetryMs?: number } = {},
  ) {
    this.delayMs = opts.retryMs ?? 2000;
  }

  /**
   * Starts watching pcscd. A missing binding rejects (nothing to retry: it must be installed); a
   * pcscd that does not answer is reported once and tried again with backoff, so a daemon started
   * later (or restarted) is picked up without restarting the agent.
   */
  async start(): Promise<void> {
    if (this.lanes.length === 0 || this.stopped) return;
    let m: PcscMonitor;
    this.attempts++;
    try {
      m = await PcscMonitor.open(this.opts.socketPath);
    } catch (e) {
      if (/not installed/.test((e as Error).message)) throw e;
      if ((e as Error).message !== this.lastProblem) this.onError(e as Error);
      this.lastProblem = (e as Error).message;
      if (!this.stopped) {
        this.retry = setTimeout(() => void this.start().catch(this.onError), this.delayMs);
        this.delayMs = Math.min(this.delayMs * 2, this.opts.maxRetryMs ?? 30_000);
      }
      return;
    }
    if (this.stopped) return m.close();
    this.lastProblem = '';
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

  /** Whether pcscd is being watched (false while it does not answer). */
  get watching(): boolean {
    return this.monitor !== undefined;
  }

  private laneOf(reader: string): Lane | undefined {
    return this.lanes.find((l) => matches(l.reader, reader))?.lane;
  }

  /** Each lane's reader as pcscd lists it now (for the gate's status). */
  health(lanes: readonly Lane[] = this.lanes.map((l) => l.lane)): CardReaderHealth[] {
    const names = this.monitor?.readerNames ?? [];
    return this.lanes
      .filter((l) => lanes.includes(l.lane))
      .map(({ lane, reader }) => {
        const name = names.find((n) => matches(reader, n));
        const present = name === undefined ? undefined : this.monitor?.cardPresent(name);
        return {
          laneId: lane.id,
          reader,
          connected: name !== undefined,
          ...(name !== undefined ? { name } : {}),
          ...(present !== undefined ? { cardPresent: present } : {}),
        };
      });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.monitor?.close();
  }
}
