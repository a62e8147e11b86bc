// Strings for the hub's load limits (429 answers), kept apart from i18n.ts so merges stay easy.
export const limitsStrings = {
  vi: {
    heavyReadBusy: 'Đang có quá nhiều bản xuất hoặc báo cáo chạy cùng lúc (của bạn hoặc của cả hệ thống). Vui lòng thử lại sau {s} giây.',
  },
  en: {
    heavyReadBusy: 'Too many exports or reports are running at once (yours, or on the whole hub). Please try again in {s} s.',
  },
};

/** The hub's 429 `heavy_read_busy` answer, in the viewer's language; null for any other error. */
export function limitMessage(e: unknown, t: (key: string) => string): string | null {
  const err = e as { status?: number; body?: { code?: string; retryAfterS?: number } };
  if (err?.status !== 429 || err.body?.code !== 'heavy_read_busy') return null;
  return t('heavyReadBusy').replace('{s}', String(err.body.retryAfterS ?? 10));
}
