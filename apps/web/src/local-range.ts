/** Local days in Vietnam (UTC+7 all year, no DST), as the hub counts them. */
const TZ_MS = 7 * 3_600_000;
const DAY = 86_400_000;

export type Preset = 'today' | 'week' | 'month' | 'custom';

/** YYYY-MM-DD of the local day holding `ms`. */
export const localDate = (ms: number) => new Date(ms + TZ_MS).toISOString().slice(0, 10);
/** Epoch ms of local midnight starting `yyyy-mm-dd`. */
export const localMidnight = (date: string) => Date.parse(`${date}T00:00:00Z`) - TZ_MS;

/** [from, to) in epoch ms for a preset around `now`, or for custom inclusive dates. */
export function rangeOf(preset: Preset, now: number, custom?: { from: string; to: string }): [number, number] {
  const today = localMidnight(localDate(now));
  if (preset === 'today') return [today, today + DAY];
  if (preset === 'week') {
    const weekday = (new Date(today + TZ_MS).getUTCDay() + 6) % 7;
    return [today - weekday * DAY, today + (7 - weekday) * DAY];
  }
  if (preset === 'month') {
    const d = new Date(today + TZ_MS);
    const first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) - TZ_MS;
    const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - TZ_MS;
    return [first, next];
  }
  return [localMidnight(custom!.from), localMidnight(custom!.to) + DAY];
}
