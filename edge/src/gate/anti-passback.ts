/**
 * Who is inside each anti-passback zone: an entry is refused while the same person (ID-number HMAC
 * or allowlist entry) is recorded inside; an exit clears it. Entries expire after `ttlMs`, since
 * people also leave through doors without readers. Memory only: a restart forgets (see README).
 */
export class AntiPassback {
  private readonly inside = new Map<string, number>();

  constructor(private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  private key(zoneId: string, person: string): string {
    return `${zoneId}\u0000${person}`;
  }

  isInside(zoneId: string, person: string): boolean {
    const at = this.inside.get(this.key(zoneId, person));
    if (at === undefined) return false;
    if (this.now() - at > this.ttlMs) {
      this.inside.delete(this.key(zoneId, person));
      return false;
    }
    return true;
  }

  entered(zoneId: string, person: string): void {
    this.inside.set(this.key(zoneId, person), this.now());
  }

  exited(zoneId: string, person: string): void {
    this.inside.delete(this.key(zoneId, person));
  }
}
