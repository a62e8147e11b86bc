/**
 * The same QR text seen again within `windowMs` counts once: a code held in front of the camera
 * shows on many consecutive frames, and people press the scanner twice. The window slides: a code
 * kept in view stays one scan until it has been gone for `windowMs`.
 */
export class QrRepeatFilter {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when `text` is new (or was last seen longer than the window ago). */
  accept(text: string): boolean {
    const t = this.now();
    for (const [k, at] of this.seen) if (t - at >= this.windowMs) this.seen.delete(k);
    const fresh = !this.seen.has(text);
    this.seen.set(text, t);
    return fresh;
  }
}
