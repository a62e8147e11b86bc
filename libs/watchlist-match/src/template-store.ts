/**
 * Append-only rows of L2-normalised templates in one SharedArrayBuffer, so a graph-building worker can
 * read them without a copy. A row is never overwritten: removing a key only marks its slot dead, which
 * keeps every row a running build may read stable. Growing moves the rows to a larger buffer (a running
 * build keeps reading the old one, whose rows are the same); `compact` drops dead rows.
 */
export class TemplateStore {
  readonly dimensions: number;
  private buffer: SharedArrayBuffer;
  private rowsView: Float32Array;
  private alive: Uint8Array;
  private slotKeys: Float64Array;
  private readonly keySlots = new Map<number, number>();
  private used = 0;

  constructor(dimensions: number, initialCapacity = 1024) {
    this.dimensions = dimensions;
    this.buffer = new SharedArrayBuffer(initialCapacity * dimensions * 4);
    this.rowsView = new Float32Array(this.buffer);
    this.alive = new Uint8Array(initialCapacity);
    this.slotKeys = new Float64Array(initialCapacity);
  }

  /** Live templates. */
  get size(): number {
    return this.keySlots.size;
  }

  /** Slots handed out so far (live and dead); rows [0, slots) are valid. */
  get slots(): number {
    return this.used;
  }

  get deadSlots(): number {
    return this.used - this.keySlots.size;
  }

  /** The shared buffer holding rows [0, slots). */
  get sharedBuffer(): SharedArrayBuffer {
    return this.buffer;
  }

  /** All rows [0, slots) as one matrix (a view, not a copy). */
  get rows(): Float32Array {
    return this.rowsView.subarray(0, this.used * this.dimensions);
  }

  /** Makes room for `more` further rows in one move (bulk loads). */
  reserve(more: number): void {
    if (this.used + more > this.alive.length) this.grow(this.used + more);
  }

  capacity(): number {
    return this.alive.length;
  }

  has(key: number): boolean {
    return this.keySlots.has(key);
  }

  slotOf(key: number): number | undefined {
    return this.keySlots.get(key);
  }

  isAlive(slot: number): boolean {
    return slot < this.used && this.alive[slot] === 1;
  }

  keyOf(slot: number): number {
    return this.slotKeys[slot]!;
  }

  row(slot: number): Float32Array {
    return this.rowsView.subarray(slot * this.dimensions, (slot + 1) * this.dimensions);
  }

  /** Stores a normalised copy of `vector` under `key` (replacing an older one) and returns its slot. */
  put(key: number, vector: Float32Array): number {
    if (vector.length !== this.dimensions) throw new RangeError(`template has ${vector.length} dimensions, index has ${this.dimensions}`);
    this.delete(key);
    if (this.used === this.alive.length) this.grow(this.alive.length < 65536 ? this.alive.length * 2 : Math.ceil(this.alive.length * 1.25));
    const slot = this.used++;
    const row = this.row(slot);
    let n = 0;
    for (let i = 0; i < vector.length; i++) n += vector[i]! * vector[i]!;
    n = Math.sqrt(n);
    if (n > 0) for (let i = 0; i < vector.length; i++) row[i] = vector[i]! / n;
    this.alive[slot] = 1;
    this.slotKeys[slot] = key;
    this.keySlots.set(key, slot);
    return slot;
  }

  delete(key: number): boolean {
    const slot = this.keySlots.get(key);
    if (slot === undefined) return false;
    this.keySlots.delete(key);
    this.alive[slot] = 0;
    return true;
  }

  clear(): void {
    this.keySlots.clear();
    this.alive.fill(0);
    this.used = 0;
  }

  /** Live slots below `end`, ascending (what a build indexes). */
  liveSlots(end = this.used): Uint32Array {
    const out = new Uint32Array(end);
    let n = 0;
    for (let s = 0; s < end; s++) if (this.alive[s] === 1) out[n++] = s;
    return out.slice(0, n);
  }

  /** Rewrites the live rows into a fresh buffer in slot order; slot numbers change. */
  compact(): void {
    const old = this.rowsView;
    const live = this.liveSlots();
    const cap = Math.max(1024, live.length * 2);
    this.buffer = new SharedArrayBuffer(cap * this.dimensions * 4);
    this.rowsView = new Float32Array(this.buffer);
    const keys = this.slotKeys;
    this.alive = new Uint8Array(cap);
    this.slotKeys = new Float64Array(cap);
    this.keySlots.clear();
    live.forEach((from, to) => {
      this.rowsView.set(old.subarray(from * this.dimensions, (from + 1) * this.dimensions), to * this.dimensions);
      this.alive[to] = 1;
      this.slotKeys[to] = keys[from]!;
      this.keySlots.set(keys[from]!, to);
    });
    this.used = live.length;
  }

  private grow(capacity: number): void {
    const buffer = new SharedArrayBuffer(capacity * this.dimensions * 4);
    const rows = new Float32Array(buffer);
    rows.set(this.rowsView.subarray(0, this.used * this.dimensions));
    const alive = new Uint8Array(capacity);
    alive.set(this.alive);
    const keys = new Float64Array(capacity);
    keys.set(this.slotKeys);
    this.buffer = buffer;
    this.rowsView = rows;
    this.alive = alive;
    this.slotKeys = keys;
  }
}
