import { z } from 'zod';
import type { QrInputHealth as QrInputStatus } from '../../../../libs/contracts/src/index.js';

/** Reconnect delays after the scanner is unplugged or fails to open: doubles from `initialMs` up to `maxMs`. */
export const QrBackoffSchema = z.strictObject({
  initialMs: z.number().int().min(50).max(60_000).default(500),
  maxMs: z.number().int().min(100).max(300_000).default(10_000),
});

/**
 * How a scanner ends one scan: CR (the factory default of most 2D scanners), LF, CRLF, or, for
 * scanners configured without a suffix, a gap of `idleMs` with no byte.
 */
export const QrTerminatorSchema = z.union([z.enum(['CR', 'LF', 'CRLF']), z.strictObject({ idleMs: z.number().int().min(5).max(2000) })]);
export type QrTerminator = z.infer<typeof QrTerminatorSchema>;

/** A CCCD QR is ~120–200 bytes; anything far longer is garbage or hostile and is dropped. */
const MaxLength = z.number().int().min(32).max(8192).default(1024);

/** A 2D scanner in USB-COM/CDC or RS-232 mode (the recommended mode: UTF-8 names survive). */
export const SerialQrInputSchema = z.strictObject({
  kind: z.literal('serial'),
  /** e.g. /dev/serial/by-id/usb-…-if00 (stable across re-plugs) or /dev/ttyACM0, /dev/ttyS0. */
  path: z.string().min(1),
  baudRate: z.number().int().min(300).max(4_000_000).default(9600),
  terminator: QrTerminatorSchema.default('CR'),
  maxLength: MaxLength,
  reconnect: QrBackoffSchema.default(QrBackoffSchema.parse({})),
});
export type SerialQrInput = z.infer<typeof SerialQrInputSchema>;

/**
 * A scanner in USB HID keyboard mode, read from its evdev node (/dev/input/by-id/…-event-kbd).
 * ASCII only (US layout): Vietnamese diacritics in the name are lost, the ID number and dates survive.
 */
export const EvdevQrInputSchema = z.strictObject({
  kind: z.literal('evdev'),
  path: z.string().min(1),
  maxLength: MaxLength,
  reconnect: QrBackoffSchema.default(QrBackoffSchema.parse({})),
});
export type EvdevQrInput = z.infer<typeof EvdevQrInputSchema>;

/** QR codes held up to the lane's own face camera (VNeID on a phone, the card's printed QR). */
export const CameraQrInputSchema = z.strictObject({
  kind: z.literal('camera'),
  /** At most one decode per this many ms, and only while the lane is idle or waiting for a CAN. */
  everyMs: z.number().int().min(50).max(5000).default(250),
});
export type CameraQrInput = z.infer<typeof CameraQrInputSchema>;

export const QrInputSchema = z.discriminatedUnion('kind', [SerialQrInputSchema, EvdevQrInputSchema, CameraQrInputSchema]);
export type QrInput = z.infer<typeof QrInputSchema>;
export type QrInputConfig = z.input<typeof QrInputSchema>;

/** Health of one QR input for the edge's status; the lane id is added where the lane is known. */
export type QrInputHealth = Omit<QrInputStatus, 'laneId'>;
