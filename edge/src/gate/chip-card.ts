import { CccdReader, type CardTransport, type CccdReadResult, type CscaTrustStore } from '../../../libs/cccd/src/index.js';
import type { CardHandle } from './lane-ports.js';

/** A card on a reader as the lane sees it: libs/cccd's reader over any transport (PC/SC or in-process). */
export class ChipCard implements CardHandle {
  private closed = false;

  constructor(
    private readonly transport: CardTransport,
    private readonly trustStore: CscaTrustStore,
    private readonly apduTimeoutMs = 2000,
  ) {}

  read(key: { can: string }): Promise<CccdReadResult> {
    // Extended-length READ BINARY cuts the DG2 photo from ~100 APDUs to a handful.
    return new CccdReader(this.transport, {
      trustStore: this.trustStore,
      timeoutMs: this.apduTimeoutMs,
      ...(this.transport.supportsExtendedLength ? { maxReadChunk: 4096 } : {}),
    }).read(key);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.transport.close();
  }
}
