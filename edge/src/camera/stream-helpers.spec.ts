import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff } from './backoff.js';
import { CameraConfigSchema } from './camera-config.schema.js';
import { classifyFfmpegFailure, redactUrl } from './ffmpeg-error.js';
import { withCredentials } from './rtsp-url.js';

describe('Backoff', () => {
  it('doubles up to the cap, with jitter taking at most the given fraction', () => {
    const lows = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.5 }, () => 1);
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map(() => lows.next()),
      [50, 100, 200, 400, 500, 500],
    );
    const highs = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.5 }, () => 0);
    assert.deepEqual(
      [1, 2, 3].map(() => highs.next()),
      [100, 200, 400],
    );
    highs.reset();
    assert.equal(highs.next(), 100);
  });
});

describe('ffmpeg failures in words', () => {
  const url = 'rtsp://admin:hunter2@10.0.0.5:554/stream1';
  it('names auth, not found, refused, codec and hides the password', () => {
    const cases: [string, string, RegExp][] = [
      [
        '[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized',
        'auth',
        /authentication refused by rtsp:\/\/admin:\*\*\*@10\.0\.0\.5:554\/stream1/,
      ],
      ['[rtsp @ 0x1] method DESCRIBE failed: 404 Not Found', 'not-found', /stream not found/],
      ['rtsp://admin:hunter2@10.0.0.5:554/stream1: Connection refused', 'unreachable', /connection refused/],
      ['Output file #0 does not contain any stream', 'codec', /no video it can decode/],
      ['rtsp://10.0.0.5: Connection timed out', 'unreachable', /no answer/],
    ];
    for (const [line, kind, msg] of cases) {
      const e = classifyFfmpegFailure(url, ['some noise', line], 1, null);
      assert.equal(e.kind, kind, line);
      assert.match(e.message, msg);
      assert.doesNotMatch(e.message, /hunter2/);
    }
    assert.match(classifyFfmpegFailure(url, [], null, 'SIGKILL').message, /was killed by SIGKILL/);
    assert.equal(redactUrl('rtsp://u:p@h/x'), 'rtsp://u:***@h/x');
    assert.equal(redactUrl('/videos/a.mp4'), '/videos/a.mp4');
    // Anywhere in a line, every URL, and a password holding '@'.
    assert.equal(
      redactUrl("Input #0, rtsp, from 'rtsp://admin:S3cret@10.0.0.5:554/h264':"),
      "Input #0, rtsp, from 'rtsp://admin:***@10.0.0.5:554/h264':",
    );
    assert.equal(redactUrl('a rtsp://u:p1@h/x b rtsps://v:p@2@k/y'), 'a rtsp://u:***@h/x b rtsps://v:***@k/y');
    const f = classifyFfmpegFailure(
      'rtsp://admin:S3cret@10.0.0.5/s',
      ['[tcp @ 0x5] Connection to tcp://10.0.0.5:554 failed', 'rtsp://admin:S3cret@10.0.0.5/s: Connection refused'],
      1,
      null,
    );
    assert.ok(!f.message.includes('S3cret'), f.message);
    const g = classifyFfmpegFailure(
      'rtsp://admin:S3cret@10.0.0.5/s',
      ["Error opening input 'rtsp://admin:S3cret@10.0.0.5/s': weird"],
      1,
      null,
    );
    assert.ok(!g.message.includes('S3cret'), g.message);
  });

  it('adds percent-encoded credentials only when the URL has none', () => {
    assert.equal(withCredentials('rtsp://h:554/s', 'ad min', 'p@ss'), 'rtsp://ad%20min:p%40ss@h:554/s');
    assert.equal(withCredentials('rtsp://x:y@h/s', 'a', 'b'), 'rtsp://x:y@h/s');
  });
});

describe('camera config', () => {
  it('fills defaults and rejects what a camera cannot be', () => {
    const cam = CameraConfigSchema.parse({
      id: 'c1',
      kind: 'file',
      path: 'a.mp4',
      lines: [{ id: 'l', from: { x: 0.5, y: 0 }, to: { x: 0.5, y: 1 }, inside: { x: 1, y: 0.5 } }],
    });
    assert.equal(cam.fps, 10);
    assert.equal(cam.lines[0]!.band, 0.04);
    const bad = CameraConfigSchema.safeParse({ id: 'c1', kind: 'rtsp', url: 'rtsp://h/s', fps: 0, lines: [] });
    assert.ok(!bad.success);
    const paths = bad.error.issues.map((i) => i.path.join('.'));
    assert.ok(paths.includes('fps') && paths.includes('lines'), paths.join());
  });
});
