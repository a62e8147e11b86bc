import { randomBytes } from 'node:crypto';

/**
 * bcrypt (`$2b$`, Provos & Mazières' EksBlowfish), the one password hash nats-server accepts in its
 * `authorization { users }` (anything else there is compared as plain text). Written here from the
 * published algorithm; it hashes the hub's generated gate and hub passwords for the NATS config.
 * Blowfish's initial P-array and S-boxes are the hexadecimal digits of π's fraction, computed below.
 */

const WORDS = 18 + 4 * 256;

let piWords: Uint32Array | null = null;

/** The first 18 + 1024 32-bit words of π's fraction in hexadecimal (0x243f6a88, 0x85a308d3, …): Machin's formula in BigInt fixed point. */
export function piFractionWords(): Uint32Array {
  if (piWords) return piWords;
  const bits = BigInt(WORDS * 32 + 64); // 64 guard bits
  const one = 1n << bits;
  const arctanInv = (x: bigint) => {
    let sum = 0n;
    let power = one / x; // 1/x^(2k+1)
    const x2 = x * x;
    for (let k = 0n; power !== 0n; k++) {
      const term = power / (2n * k + 1n);
      sum = k % 2n === 0n ? sum + term : sum - term;
      power /= x2;
    }
    return sum;
  };
  const pi = 16n * arctanInv(5n) - 4n * arctanInv(239n);
  const frac = (pi - 3n * one) >> 64n;
  const out = new Uint32Array(WORDS);
  for (let i = 0; i < WORDS; i++) out[i] = Number((frac >> BigInt((WORDS - 1 - i) * 32)) & 0xffffffffn);
  piWords = out;
  return out;
}

class Blowfish {
  readonly p: Uint32Array;
  readonly s: Uint32Array; // four boxes of 256 words, one after the other

  constructor() {
    const w = piFractionWords();
    this.p = w.slice(0, 18);
    this.s = w.slice(18);
  }

  private f(x: number): number {
    const s = this.s;
    return (((s[x >>> 24]! + s[256 + ((x >>> 16) & 0xff)]!) ^ s[512 + ((x >>> 8) & 0xff)]!) + s[768 + (x & 0xff)]!) >>> 0;
  }

  /** Enciphers the block (lr[off], lr[off+1]) in place. */
  encrypt(lr: Uint32Array, off: number): void {
    const p = this.p;
    let l = lr[off]!;
    let r = lr[off + 1]!;
    l ^= p[0]!;
    for (let i = 1; i < 17; i += 2) {
      r ^= this.f(l) ^ p[i]!;
      l ^= this.f(r) ^ p[i + 1]!;
    }
    lr[off] = (r ^ p[17]!) >>> 0;
    lr[off + 1] = l >>> 0;
  }

  /** EksBlowfish's ExpandKey(state, salt, key); a null salt is the plain key schedule. */
  expand(key: Uint8Array, salt: Uint8Array | null): void {
    let kp = 0;
    const keyWord = () => {
      let w = 0;
      for (let i = 0; i < 4; i++) {
        w = (w << 8) | key[kp]!;
        kp = (kp + 1) % key.length;
      }
      return w >>> 0;
    };
    let sp = 0;
    const saltWord = () => {
      if (!salt) return 0;
      let w = 0;
      for (let i = 0; i < 4; i++) {
        w = (w << 8) | salt[sp]!;
        sp = (sp + 1) % salt.length;
      }
      return w >>> 0;
    };
    for (let i = 0; i < 18; i++) this.p[i] = (this.p[i]! ^ keyWord()) >>> 0;
    const lr = new Uint32Array(2);
    const fill = (into: Uint32Array, n: number) => {
      for (let i = 0; i < n; i += 2) {
        lr[0] = (lr[0]! ^ saltWord()) >>> 0;
        lr[1] = (lr[1]! ^ saltWord()) >>> 0;
        this.encrypt(lr, 0);
        into[i] = lr[0]!;
        into[i + 1] = lr[1]!;
      }
    };
    fill(this.p, 18);
    fill(this.s, 1024);
  }
}

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BCRYPT = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const encode64 = (b: Uint8Array) => [...Buffer.from(b).toString('base64').replace(/=+$/, '')].map((c) => BCRYPT[STD.indexOf(c)]).join('');
const decode64 = (s: string) => Buffer.from([...s].map((c) => STD[BCRYPT.indexOf(c)]).join(''), 'base64');

function eksBlowfish(password: string, salt: Uint8Array, cost: number): Uint8Array {
  // $2b$: the UTF-8 bytes with their terminating NUL, at most 72 bytes.
  const key = Buffer.concat([Buffer.from(password, 'utf8'), Buffer.from([0])]).subarray(0, 72);
  const bf = new Blowfish();
  bf.expand(key, salt);
  for (let i = 0; i < 2 ** cost; i++) {
    bf.expand(key, null);
    bf.expand(salt, null);
  }
  const text = Buffer.from('OrpheanBeholderScryDoubt', 'latin1');
  const c = new Uint32Array(6);
  for (let i = 0; i < 6; i++) c[i] = text.readUInt32BE(i * 4);
  for (let i = 0; i < 64; i++) for (let j = 0; j < 6; j += 2) bf.encrypt(c, j);
  const out = Buffer.alloc(24);
  for (let i = 0; i < 6; i++) out.writeUInt32BE(c[i]!, i * 4);
  return out.subarray(0, 23);
}

/**
 * `$2b$<cost>$<salt><hash>`. Gate and hub passwords are 256 random bits, so the cost guards nothing a
 * guess could find; it only costs the broker CPU at every connect (8: a few ms per login).
 */
export function bcryptHash(password: string, cost = 8, salt: Uint8Array = randomBytes(16)): string {
  if (!Number.isInteger(cost) || cost < 4 || cost > 16) throw new Error(`bcrypt cost must be an integer from 4 to 16, not ${cost}`);
  if (salt.length !== 16) throw new Error('bcrypt salt must be 16 bytes');
  if (Buffer.byteLength(password, 'utf8') > 71) throw new Error('bcrypt uses at most 71 bytes of a password');
  return `$2b$${String(cost).padStart(2, '0')}$${encode64(salt)}${encode64(eksBlowfish(password, salt, cost))}`;
}

/** Checks a password against a `$2a$`/`$2b$` hash (as nats-server does). */
export function bcryptVerify(hash: string, password: string): boolean {
  const m = /^\$2[ab]\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/.exec(hash);
  if (!m) return false;
  const cost = Number(m[1]);
  if (cost < 4 || cost > 16 || Buffer.byteLength(password, 'utf8') > 71) return false;
  const salt = decode64(m[2]!);
  return encode64(eksBlowfish(password, salt, cost)) === m[3];
}
