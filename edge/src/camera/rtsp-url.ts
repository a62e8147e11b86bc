/** Puts username/password into an rtsp:// URL (percent-encoded) unless it already carries some. */
export function withCredentials(url: string, username?: string, password?: string): string {
  if (!username) return url;
  const u = new URL(url);
  if (u.username) return url;
  u.username = encodeURIComponent(username);
  u.password = encodeURIComponent(password ?? '');
  return u.toString();
}
