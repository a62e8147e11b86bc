// ISO/IEC 9797-1 padding method 2 (0x80 then zeros), used by eMRTD secure messaging and MACs.
import { CccdError } from '../errors.js';

export function pad(data: Uint8Array, blockSize: number): Uint8Array {
  const out = new Uint8Array((Math.floor(data.length / blockSize) + 1) * blockSize);
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

export function unpad(data: Uint8Array): Uint8Array {
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0x00) i--;
  if (i < 0 || data[i] !== 0x80) throw new CccdError('SM_MALFORMED', 'bad ISO 9797-1 padding in decrypted data');
  return data.subarray(0, i);
}
