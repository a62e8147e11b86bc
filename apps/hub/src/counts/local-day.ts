/**
 * Vietnam keeps UTC+7 all year (no DST), so "today" and hour/day buckets are aligned by a fixed
 * offset instead of a time-zone database lookup on the hot path.
 */
export const SITE_TZ = 'Asia/Ho_Chi_Minh';
export const TZ_OFFSET_MS = 7 * 3_600_000;
export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export const minuteStart = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/** Start of the bucket containing `ms`, aligned to local midnight. */
export const bucketStart = (ms: number, sizeMs: number) => Math.floor((ms + TZ_OFFSET_MS) / sizeMs) * sizeMs - TZ_OFFSET_MS;

export const localDayStart = (ms: number) => bucketStart(ms, DAY_MS);

/** YYYY-MM-DD of the local day containing `ms`. */
export const localDay = (ms: number) => new Date(ms + TZ_OFFSET_MS).toISOString().slice(0, 10);
