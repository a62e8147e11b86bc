/** One decoded video frame: packed RGB24, row-major, `width * height * 3` bytes. */
export interface RgbFrame {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  /** Frame number since the source (re)started reading, 0-based. */
  readonly seq: number;
  /** Wall-clock time the frame left the decoder, ms since the epoch. */
  readonly capturedAt: number;
}

export function frameBytes(width: number, height: number): number {
  return width * height * 3;
}
