// Linux input-event key codes (linux/input-event-codes.h) → characters on a US layout, as a HID
// keyboard-wedge scanner types them. Only ASCII exists here: a scanner cannot type "ễ" as keys.

const row = (first: number, plain: string, shifted: string): [number, [string, string]][] =>
  [...plain].map((c, i) => [first + i, [c, shifted[i]!]]);

export const KEY_ENTER = 28;
export const KEY_KPENTER = 96;
export const KEY_LEFTSHIFT = 42;
export const KEY_RIGHTSHIFT = 54;
export const KEY_CAPSLOCK = 58;

/** code → [plain, with shift]. */
export const US_KEYS = new Map<number, [string, string]>([
  ...row(2, '1234567890-=', '!@#$%^&*()_+'),
  ...row(16, 'qwertyuiop[]', 'QWERTYUIOP{}'),
  ...row(30, "asdfghjkl;'`", 'ASDFGHJKL:"~'),
  [43, ['\\', '|']],
  ...row(44, 'zxcvbnm,./', 'ZXCVBNM<>?'),
  [57, [' ', ' ']],
  [15, ['\t', '\t']],
  // keypad (scanners set to "numeric keypad" digits)
  ...row(71, '789-456+1230.', '789-456+1230.'),
  [55, ['*', '*']],
  [98, ['/', '/']],
]);

/** The character typed by `code`, or undefined for keys that type nothing (F-keys, arrows…). */
export function keyChar(code: number, shift: boolean, capsLock: boolean): string | undefined {
  const k = US_KEYS.get(code);
  if (!k) return undefined;
  const c = shift ? k[1] : k[0];
  // Caps Lock flips letters only.
  return capsLock && /^[a-z]$/i.test(c) ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c;
}
