import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { CscaTrustStore, InProcessTransport } from '../../../libs/cccd/src/index.js';
import { createCsca, createTestCard, EmrtdApplet, testCardQr, type TestCard } from '../../../libs/cccd/src/emulator/index.js';
import { ChipCard } from '../gate/chip-card.js';
import type { Lane } from '../gate/lane.js';

export interface DemoFaces {
  /** Chip photo of the person the lane camera shows (another photo of the same person). */
  holder: string;
  /** Chip photo of somebody else (a borrowed card). */
  other: string;
}

type Scenario = 'holder_card' | 'borrowed_card' | 'vneid_qr';
const SCENARIOS: readonly Scenario[] = ['holder_card', 'borrowed_card', 'vneid_qr'];

/**
 * Demo only (`--demo-entrants gate/lane`): people keep coming to one lane with emulated CCCDs, so
 * the operator console and the IOC wall show real decisions without a reader. The cards are
 * libs/cccd's emulator in process, signed by a CSCA made at start that only this simulator trusts;
 * the chip read, passive authentication, face match and decision are the lane's own. In turn: the
 * card holder (OPEN), someone else's card (DENY face_mismatch), a VNeID QR (REVIEW: an operator
 * approves or denies in the console). A real lane reads its cards over PC/SC.
 */
export class DemoEntrants {
  private readonly log = new Logger('DemoEntrants');
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  private cards: { holder: TestCard; other: TestCard } | undefined;
  private trust: CscaTrustStore | undefined;

  constructor(
    private readonly lane: Lane,
    private readonly faces: DemoFaces,
    private readonly everyMs = 12_000,
  ) {}

  async start(): Promise<void> {
    const missing = [this.faces.holder, this.faces.other].filter((f) => !existsSync(f));
    if (missing.length)
      throw new Error(
        `demo entrants need the chip photos ${missing.join(', ')} (they ship in config/demo/media; pass --demo-media <dir> if they live elsewhere)`,
      );
    const csca = await createCsca();
    this.trust = new CscaTrustStore().add(csca.der);
    this.cards = {
      holder: await createTestCard({
        idNumber: '037190004321',
        facePath: this.faces.holder,
        csca,
        aa: 'none',
        person: { fullName: 'Phạm Thị Lan', sex: 'Nữ' },
      }),
      other: await createTestCard({
        idNumber: '001088012777',
        facePath: this.faces.other,
        csca,
        aa: 'none',
        person: { fullName: 'Đỗ Văn Hùng', sex: 'Nam' },
      }),
    };
    this.timer = setInterval(() => this.arrive(), this.everyMs);
    this.log.log(`emulated entrants at lane ${this.lane.id} every ${this.everyMs / 1000} s (holder's card, borrowed card, VNeID QR)`);
  }

  /** The next entrant steps up, unless the lane is still busy with the last one (e.g. awaiting review). */
  private arrive(): void {
    if (!this.cards || !this.trust || this.lane.phase !== 'idle') return;
    const scenario = SCENARIOS[this.next++ % SCENARIOS.length]!;
    if (scenario === 'vneid_qr') {
      this.lane.qrScanned(testCardQr(this.cards.holder), 'vneid');
      return;
    }
    const card = scenario === 'holder_card' ? this.cards.holder : this.cards.other;
    // The entrant scans the card's QR (the CAN) and lays the card on the reader.
    this.lane.qrScanned(testCardQr(card), 'cccd');
    this.lane.cardInserted(new ChipCard(new InProcessTransport(new EmrtdApplet(card)), this.trust));
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
