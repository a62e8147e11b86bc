// Prime-curve arithmetic for PACE generic mapping. Node's ECDH only multiplies the standard generator,
// but PACE-GM needs a full point H = sk·PK and scalar multiplication on the mapped generator G' = s·G + H.
// BigInt arithmetic is not constant-time; acceptable for ephemeral session keys on the terminal side and
// for the test emulator, not for long-term private keys.
import { randomBytes } from 'node:crypto';
import { CccdError } from '../errors.js';

export interface Point {
  x: bigint;
  y: bigint;
}

export interface Curve {
  name: string;
  /** ICAO 9303-11 standardized domain parameter ID (Table "standardized domain parameters"). */
  paceParameterId: number;
  /** Name Node's crypto uses for the same curve. */
  nodeName: string;
  p: bigint;
  a: bigint;
  b: bigint;
  g: Point;
  n: bigint;
  size: number;
}

const h = (s: string) => BigInt('0x' + s);

export const BRAINPOOL_P256R1: Curve = {
  name: 'brainpoolP256r1',
  paceParameterId: 13,
  nodeName: 'brainpoolP256r1',
  p: h('A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377'),
  a: h('7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9'),
  b: h('26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6'),
  g: {
    x: h('8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262'),
    y: h('547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997'),
  },
  n: h('A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7'),
  size: 32,
};

const P256_P = h('FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF');
export const NIST_P256: Curve = {
  name: 'secp256r1',
  paceParameterId: 12,
  nodeName: 'prime256v1',
  p: P256_P,
  a: P256_P - 3n,
  b: h('5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B'),
  g: {
    x: h('6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296'),
    y: h('4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5'),
  },
  n: h('FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551'),
  size: 32,
};

export const CURVES_BY_PARAMETER_ID: ReadonlyMap<number, Curve> = new Map([
  [12, NIST_P256],
  [13, BRAINPOOL_P256R1],
]);

type Jac = { X: bigint; Y: bigint; Z: bigint };
const INF: Jac = { X: 1n, Y: 1n, Z: 0n };

function mod(x: bigint, m: bigint): bigint {
  const r = x % m;
  return r < 0n ? r + m : r;
}

export function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new RangeError('not invertible');
  return mod(s0, m);
}

function dbl(c: Curve, P: Jac): Jac {
  const { p } = c;
  if (P.Z === 0n || P.Y === 0n) return INF;
  const YY = mod(P.Y * P.Y, p);
  const S = mod(4n * P.X * YY, p);
  const ZZ = mod(P.Z * P.Z, p);
  const M = mod(3n * P.X * P.X + c.a * ZZ * ZZ, p);
  const X = mod(M * M - 2n * S, p);
  const Y = mod(M * (S - X) - 8n * YY * YY, p);
  const Z = mod(2n * P.Y * P.Z, p);
  return { X, Y, Z };
}

function add(c: Curve, P: Jac, Q: Jac): Jac {
  const { p } = c;
  if (P.Z === 0n) return Q;
  if (Q.Z === 0n) return P;
  const Z1Z1 = mod(P.Z * P.Z, p);
  const Z2Z2 = mod(Q.Z * Q.Z, p);
  const U1 = mod(P.X * Z2Z2, p);
  const U2 = mod(Q.X * Z1Z1, p);
  const S1 = mod(P.Y * Q.Z * Z2Z2, p);
  const S2 = mod(Q.Y * P.Z * Z1Z1, p);
  if (U1 === U2) return S1 === S2 ? dbl(c, P) : INF;
  const H = mod(U2 - U1, p);
  const R = mod(S2 - S1, p);
  const HH = mod(H * H, p);
  const HHH = mod(H * HH, p);
  const V = mod(U1 * HH, p);
  const X = mod(R * R - HHH - 2n * V, p);
  const Y = mod(R * (V - X) - S1 * HHH, p);
  const Z = mod(H * P.Z * Q.Z, p);
  return { X, Y, Z };
}

function toJac(P: Point): Jac {
  return { X: P.x, Y: P.y, Z: 1n };
}

function toAffine(c: Curve, P: Jac): Point {
  if (P.Z === 0n) throw new CccdError('PROTOCOL', 'EC operation produced the point at infinity');
  const zi = modInverse(P.Z, c.p);
  const zi2 = mod(zi * zi, c.p);
  return { x: mod(P.X * zi2, c.p), y: mod(P.Y * zi2 * zi, c.p) };
}

export function isOnCurve(c: Curve, P: Point): boolean {
  if (P.x < 0n || P.x >= c.p || P.y < 0n || P.y >= c.p) return false;
  return mod(P.y * P.y - (P.x * P.x * P.x + c.a * P.x + c.b), c.p) === 0n;
}

export function multiply(c: Curve, k: bigint, P: Point): Point {
  let R = INF;
  let A = toJac(P);
  let e = mod(k, c.n);
  if (e === 0n) throw new CccdError('PROTOCOL', 'EC scalar is zero');
  while (e > 0n) {
    if (e & 1n) R = add(c, R, A);
    A = dbl(c, A);
    e >>= 1n;
  }
  return toAffine(c, R);
}

export function addPoints(c: Curve, P: Point, Q: Point): Point {
  return toAffine(c, add(c, toJac(P), toJac(Q)));
}

export function bytesToBigInt(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt('0x' + Buffer.from(b).toString('hex'));
}

export function bigIntToBytes(v: bigint, size: number): Uint8Array {
  const hex = v.toString(16).padStart(size * 2, '0');
  if (hex.length > size * 2) throw new RangeError('integer too large');
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function encodePoint(c: Curve, P: Point): Uint8Array {
  const out = new Uint8Array(1 + 2 * c.size);
  out[0] = 0x04;
  out.set(bigIntToBytes(P.x, c.size), 1);
  out.set(bigIntToBytes(P.y, c.size), 1 + c.size);
  return out;
}

/** Decodes an uncompressed point and rejects anything not on the curve (invalid-curve attacks). */
export function decodePoint(c: Curve, b: Uint8Array): Point {
  if (b.length !== 1 + 2 * c.size || b[0] !== 0x04) {
    throw new CccdError('PROTOCOL', `expected an uncompressed ${c.name} point, got ${b.length} bytes`);
  }
  const P = { x: bytesToBigInt(b.subarray(1, 1 + c.size)), y: bytesToBigInt(b.subarray(1 + c.size)) };
  if (!isOnCurve(c, P)) throw new CccdError('PROTOCOL', `point is not on ${c.name}`);
  return P;
}

export function randomScalar(c: Curve): bigint {
  for (;;) {
    const k = bytesToBigInt(randomBytes(c.size + 8)) % c.n;
    if (k !== 0n) return k;
  }
}
