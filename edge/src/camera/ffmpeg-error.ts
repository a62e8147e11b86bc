/** What went wrong with a stream, in words a site engineer can act on. */
export interface StreamError {
  /** auth, not-found, unreachable, codec, input, stalled, ffmpeg-missing, exited */
  kind: 'auth' | 'not-found' | 'unreachable' | 'codec' | 'input' | 'stalled' | 'ffmpeg-missing' | 'exited';
  /** Retrying without a config change is unlikely to help (wrong password, wrong path, codec). */
  permanent: boolean;
  message: string;
}

/**
 * Hides the password of every `scheme://user:pass@host` URL in a text (a URL alone, or quoted in the
 * middle of an ffmpeg line); a password holding `@` is hidden up to the last `@` of the authority.
 */
export function redactUrl(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s'"]+):[^\s/'"]*@/gi, '$1:***@');
}

const RULES: { test: RegExp; kind: StreamError['kind']; permanent: boolean; say: (url: string, line: string) => string }[] = [
  {
    test: /401 Unauthorized|403 Forbidden|authori[sz]ation failed/i,
    kind: 'auth',
    permanent: true,
    say: (u) => `authentication refused by ${u}: check the camera's username and password`,
  },
  {
    test: /404 Not Found|454 Session Not Found|No such file or directory/i,
    kind: 'not-found',
    permanent: true,
    say: (u) => `stream not found at ${u}: check the path (or file name)`,
  },
  {
    test: /Connection refused/i,
    kind: 'unreachable',
    permanent: false,
    say: (u) => `connection refused by ${u}: camera offline or wrong port`,
  },
  {
    test: /timed out|Operation not permitted|No route to host|Network is unreachable/i,
    kind: 'unreachable',
    permanent: false,
    say: (u) => `no answer from ${u}: camera offline, wrong address or blocked by a firewall`,
  },
  {
    test: /Failed to resolve hostname|Name or service not known|Temporary failure in name resolution/i,
    kind: 'unreachable',
    permanent: false,
    say: (u) => `cannot resolve the host of ${u}`,
  },
  {
    test: /Decoder \(codec [^)]*\) not found|unknown codec|Could not find codec parameters|no decoder|Unsupported codec|codec not currently supported|does not contain any stream/i,
    kind: 'codec',
    permanent: true,
    say: (u, l) =>
      `ffmpeg finds no video it can decode in ${u} (${l.trim()}): unsupported codec or payload, set the camera to H.264 or H.265`,
  },
  {
    test: /Invalid data found when processing input|moov atom not found/i,
    kind: 'input',
    permanent: true,
    say: (u, l) => `no decodable video in ${u} (${l.trim()})`,
  },
];

/** Turns ffmpeg's stderr (last lines) and exit into one clear error. */
export function classifyFfmpegFailure(
  url: string,
  stderrLines: readonly string[],
  exitCode: number | null,
  signal: string | null,
): StreamError {
  const safe = redactUrl(url);
  for (const rule of RULES) {
    const line = [...stderrLines].reverse().find((l) => rule.test.test(l));
    if (line) return { kind: rule.kind, permanent: rule.permanent, message: rule.say(safe, redactUrl(line)) };
  }
  const last = stderrLines.filter((l) => l.trim()).slice(-1)[0];
  const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
  return { kind: 'exited', permanent: false, message: `ffmpeg reading ${safe} ${how}${last ? `: ${redactUrl(last).trim()}` : ''}` };
}
