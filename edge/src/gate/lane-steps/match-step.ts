import type { FaceMatcher } from '../lane-ports.js';
import { elapsedMs, type Cycle } from './cycle.js';

/** 1:1: the chip photo (or a verified VNeID portrait) against the live face. */
export class MatchStep {
  constructor(private readonly matcher: FaceMatcher) {}

  async compare(c: Cycle): Promise<void> {
    const live = c.live;
    const photoRef = c.facts.method === 'chip_face' || (c.facts.method === 'qr_face' && c.facts.vneid === 'verified');
    if (photoRef && c.chipJpeg && live) {
      const t0 = performance.now();
      const ref = await (c.reference ?? this.matcher.embedReference(c.chipJpeg));
      if (ref) c.facts.similarity = this.matcher.similarity(ref, live.embedding);
      else c.facts.referenceMissing = true;
      c.steps.faceMatch = elapsedMs(t0);
    } else if (c.facts.method === 'chip_face' && !c.chipJpeg) c.facts.referenceMissing = true;
  }
}
