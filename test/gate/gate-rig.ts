import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCsca, createTestCard, EmrtdApplet, ensurePcscd, VpcdLink, type PcscdHandle, type TestCard, type TestIssuer } from '../../libs/cccd/src/emulator/index.js';
import type { ResettableCard } from '../../libs/cccd/src/emulator/vpcd-link.js';

/** Shared read-only face photos: `CG_SHARED_DIR` or `../shared` beside the repository. */
export const sharedFace = (person: string, n: number) => join(process.env.CG_SHARED_DIR ?? '../shared', 'faces', person, `${n}.jpg`);

/** The QR printed on the front of a CCCD, as the lane's scanner reads it. */
export function cardQr(card: TestCard): string {
  const p = card.person;
  const d = (s: string) => s.replaceAll('/', '');
  return [card.idNumber, '', p.fullName, d(p.dateOfBirth), p.sex, p.placeOfResidence, d(p.dateOfIssue)].join('|');
}

/** A card that stops answering after `afterApdus` commands and is pulled from the reader. */
class PulledMidRead implements ResettableCard {
  private n = 0;
  onPull: () => void = () => undefined;
  constructor(private readonly inner: EmrtdApplet, private readonly afterApdus: number) {}
  get atr() {
    return this.inner.atr;
  }
  reset() {
    this.inner.reset();
  }
  process(apdu: Uint8Array): Uint8Array {
    if (++this.n === this.afterApdus) this.onPull();
    return this.inner.process(apdu);
  }
}

/**
 * The card side of the gate tests: pcscd with the vpcd virtual reader, test CCCDs signed by one
 * test CSCA (written to a file the edge trusts), inserted and removed like a real card.
 */
export class CardRig {
  private pcscd: PcscdHandle | undefined;
  private link: VpcdLink | undefined;
  csca!: TestIssuer;
  cscaFile = '';

  async start(dir: string): Promise<void> {
    this.pcscd = await ensurePcscd();
    this.csca = await createCsca();
    this.cscaFile = join(dir, 'csca.der');
    writeFileSync(this.cscaFile, this.csca.der);
  }

  card(idNumber: string, facePath: string, fullName = 'Nguyễn Thị Thanh Hương'): Promise<TestCard> {
    return createTestCard({ idNumber, facePath, csca: this.csca, person: { fullName }, aa: 'none' });
  }

  async insert(card: TestCard, opts: { pullAfterApdus?: number } = {}): Promise<void> {
    await this.remove();
    const applet = new EmrtdApplet(card);
    const pulled = opts.pullAfterApdus ? new PulledMidRead(applet, opts.pullAfterApdus) : undefined;
    const link = new VpcdLink(pulled ?? applet);
    if (pulled) pulled.onPull = () => void link.remove();
    this.link = link;
    await link.insert();
  }

  async remove(): Promise<void> {
    const l = this.link;
    this.link = undefined;
    if (!l) return;
    await l.remove();
    // pcscd polls vpcd: a new card inserted before it saw the reader empty would look like no change.
    await new Promise((r) => setTimeout(r, 1200));
  }

  async stop(): Promise<void> {
    await this.remove();
    await this.pcscd?.stop();
  }
}
