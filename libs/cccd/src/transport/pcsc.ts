// PC/SC transport over pcscd through @pokusew/pcsclite: reader hot-plug, card insert/remove events,
// exclusive connection to a card and per-APDU timeouts.
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { CccdError } from '../errors.js';
import type { CardTransport } from './transport.js';
import { createConnection } from 'node:net';

// Minimal typing of the CommonJS binding (it ships no declarations).
interface NativeReader extends EventEmitter {
  name: string;
  connected: boolean;
  SCARD_STATE_PRESENT: number;
  SCARD_STATE_EMPTY: number;
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_SHARE_SHARED: number;
  SCARD_LEAVE_CARD: number;
  SCARD_RESET_CARD: number;
  connect(opts: { share_mode: number }, cb: (err: Error | null, protocol: number) => void): void;
  disconnect(disposition: number, cb: (err: Error | null) => void): void;
  transmit(data: Buffer, resLen: number, protocol: number, cb: (err: Error | null, data: Buffer) => void): void;
  close(): void;
}
interface NativePcsc extends EventEmitter {
  close(): void;
}

const require = createRequire(import.meta.url);
type PcscFactory = () => NativePcsc;
let factory: PcscFactory | undefined;
function loadBinding(): PcscFactory {
  if (!factory) {
    try {
      factory = require('@pokusew/pcsclite') as PcscFactory;
    } catch (e) {
      // An optional dependency: it compiles at install only where the PC/SC headers exist.
      throw new CccdError(
        'TRANSPORT',
        "the PC/SC binding @pokusew/pcsclite is not installed: install Debian's libpcsclite-dev and pcscd (`npm run setup:system` does), then `npm ci`",
        { cause: e },
      );
    }
  }
  return factory;
}

export interface CardEvent {
  reader: string;
  atr?: Uint8Array;
}

export interface PcscMonitorEvents {
  reader: [name: string];
  'reader-removed': [name: string];
  'card-inserted': [CardEvent];
  'card-removed': [CardEvent];
  error: [Error];
}

/** Where libpcsclite finds pcscd (its own default, which PCSCLITE_CSOCK_NAME overrides). */
export function pcscdSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.PCSCLITE_CSOCK_NAME || '/run/pcscd/pcscd.comm';
}

/**
 * Resolves once something accepts connections on pcscd's socket; rejects with a TRANSPORT error
 * saying pcscd is not running otherwise. The binding must not be created without it:
 * `@pokusew/pcsclite` retries SCardEstablishContext in a loop on the main thread, so a missing or
 * stopped pcscd (a socket-activated one that exited, with no systemd to wake it) froze the whole
 * process at 100 % CPU.
 */
export async function probePcscd(socketPath = pcscdSocketPath(), timeoutMs = 2000): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const sock = createConnection(socketPath);
    const fail = (why: string) => {
      sock.destroy();
      reject(new CccdError('TRANSPORT', `pcscd is not running: ${why} on ${socketPath} (SCardEstablishContext would never succeed)`));
    };
    const timer = setTimeout(() => fail('no answer'), timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve();
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      fail(e.code === 'ENOENT' ? 'no socket' : e.code === 'ECONNREFUSED' ? 'nothing listens' : e.message);
    });
  });
}

/** Watches pcscd: readers appearing/disappearing and cards inserted/removed. Create it with {@link PcscMonitor.open}. */
export class PcscMonitor extends EventEmitter<PcscMonitorEvents> {
  /** Checks that pcscd answers (see {@link probePcscd}), then starts watching it. */
  static async open(socketPath = pcscdSocketPath()): Promise<PcscMonitor> {
    loadBinding(); // a missing binding is said first: it is the thing to install
    await probePcscd(socketPath);
    return new PcscMonitor();
  }

  private readonly native: NativePcsc;
  private readonly readers = new Map<string, { native: NativeReader; present: boolean; atr?: Uint8Array }>();
  private closed = false;

  private constructor() {
    super();
    this.native = loadBinding()();
    this.native.on('error', (e: Error) => this.report(new CccdError('TRANSPORT', `PC/SC: ${e.message}`, { cause: e })));
    this.native.on('reader', (r: NativeReader) => this.track(r));
  }

  // pcscd reports cancellations while closing; errors with no listener must not crash the gate process.
  private report(e: CccdError): void {
    if (!this.closed && this.listenerCount('error') > 0) this.emit('error', e);
  }

  private track(r: NativeReader): void {
    const entry: { native: NativeReader; present: boolean; atr?: Uint8Array } = { native: r, present: false };
    this.readers.set(r.name, entry);
    r.on('error', (e: Error) => this.report(new CccdError('TRANSPORT', `${r.name}: ${e.message}`, { cause: e })));
    r.on('status', (status: { state: number; atr?: Buffer }) => {
      const present = (status.state & r.SCARD_STATE_PRESENT) !== 0;
      if (present && !entry.present) {
        entry.present = true;
        if (status.atr) entry.atr = new Uint8Array(status.atr);
        this.emit('card-inserted', { reader: r.name, ...(entry.atr ? { atr: entry.atr } : {}) });
      } else if (!present && entry.present) {
        entry.present = false;
        delete entry.atr;
        this.emit('card-removed', { reader: r.name });
      }
    });
    r.on('end', () => {
      this.readers.delete(r.name);
      if (entry.present) this.emit('card-removed', { reader: r.name });
      this.emit('reader-removed', r.name);
    });
    this.emit('reader', r.name);
  }

  /** Whether a card sits in this reader; undefined when pcscd does not list the reader. */
  cardPresent(readerName: string): boolean | undefined {
    return this.readers.get(readerName)?.present;
  }

  get readerNames(): string[] {
    return [...this.readers.keys()];
  }

  /** Resolves with the name of a reader matching `match`, waiting for hot-plug up to `timeoutMs`. */
  waitForReader(match: RegExp | string = /./, timeoutMs = 5000): Promise<string> {
    const test = (n: string) => (typeof match === 'string' ? n === match : match.test(n));
    const found = this.readerNames.find(test);
    if (found) return Promise.resolve(found);
    return this.waitFor('reader', (n) => test(n), timeoutMs, `no PC/SC reader matching ${match} within ${timeoutMs} ms`).then((n) => n);
  }

  /** Resolves with a connected transport once a card is present in a matching reader. */
  async waitForCard(match: RegExp | string = /./, timeoutMs = 10000, opts: { extendedLength?: boolean } = {}): Promise<PcscCardTransport> {
    const test = (n: string) => (typeof match === 'string' ? n === match : match.test(n));
    let name = [...this.readers].find(([n, e]) => test(n) && e.present)?.[0];
    if (!name)
      name = (await this.waitFor('card-inserted', (ev) => test(ev.reader), timeoutMs, `no card presented within ${timeoutMs} ms`)).reader;
    return this.connect(name, opts);
  }

  private waitFor<K extends 'reader' | 'card-inserted'>(
    event: K,
    accept: (...args: PcscMonitorEvents[K]) => boolean,
    timeoutMs: number,
    message: string,
  ): Promise<PcscMonitorEvents[K][0]> {
    return new Promise((resolve, reject) => {
      const onEvent = (...args: PcscMonitorEvents[K]) => {
        if (!accept(...args)) return;
        cleanup();
        resolve(args[0]);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new CccdError('TIMEOUT', message));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off(event, onEvent as never);
      };
      this.on(event, onEvent as never);
    });
  }

  connect(readerName: string, opts: { extendedLength?: boolean } = {}): Promise<PcscCardTransport> {
    const entry = this.readers.get(readerName);
    if (!entry) return Promise.reject(new CccdError('TRANSPORT', `reader ${readerName} not found`));
    if (!entry.present) return Promise.reject(new CccdError('NO_CARD', `no card in ${readerName}`));
    const r = entry.native;
    return new Promise((resolve, reject) => {
      r.connect({ share_mode: r.SCARD_SHARE_EXCLUSIVE }, (err, protocol) => {
        if (err) return reject(new CccdError('TRANSPORT', `connect to ${readerName}: ${err.message}`, { cause: err }));
        resolve(new PcscCardTransport(r, protocol, entry.atr, opts.extendedLength ?? true));
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const { native } of this.readers.values()) {
      native.on('error', () => undefined);
      native.close();
    }
    this.readers.clear();
    this.native.close();
    this.removeAllListeners();
    this.native.on('error', () => undefined);
  }
}

export class PcscCardTransport implements CardTransport {
  private busy: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly reader: NativeReader,
    private readonly protocol: number,
    readonly atr: Uint8Array | undefined,
    readonly supportsExtendedLength: boolean,
  ) {}

  get readerName(): string {
    return this.reader.name;
  }

  transmit(apdu: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    // PC/SC allows one transmit at a time per handle; serialize callers.
    const run = () =>
      new Promise<Uint8Array>((resolve, reject) => {
        const timer = setTimeout(() => reject(new CccdError('TIMEOUT', `card did not answer within ${timeoutMs} ms`)), timeoutMs);
        this.reader.transmit(Buffer.from(apdu), 65538, this.protocol, (err, data) => {
          clearTimeout(timer);
          if (err) {
            const removed = /removed|no smart card|reset/i.test(err.message);
            reject(new CccdError(removed ? 'NO_CARD' : 'TRANSPORT', `transmit: ${err.message}`, { cause: err }));
          } else resolve(new Uint8Array(data));
        });
      });
    const p = this.busy.then(run, run);
    this.busy = p.catch(() => undefined);
    return p;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.reader.disconnect(this.reader.SCARD_RESET_CARD, () => resolve()));
  }
}
