import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { FFMPEG_MISSING_HELP, resolveFfmpeg } from './ffmpeg-binary.js';
import type { Readable } from 'node:stream';
import type { CameraHealth } from '../../../libs/contracts/src/index.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { classifyFfmpegFailure, redactUrl, type StreamError } from './ffmpeg-error.js';
import { FpsMeter } from './fps-meter.js';
import { frameBytes, type RgbFrame } from './frame.js';
import type { FrameHandler, FrameSource } from './frame-source.js';

export interface FfmpegSourceOptions {
  cameraId: string;
  /** Where to read; a function is called before every (re)connect (ONVIF re-resolves its URI). */
  url: string | (() => Promise<string>);
  /** ffmpeg options placed before `-i url` (transport, timeouts, -re, -stream_loop). */
  inputArgs: readonly string[];
  width: number;
  height: number;
  fps: number;
  /**
   * "latest": live cameras — ffmpeg is always drained, a frame arriving while the previous one is
   * still being processed replaces the waiting one (counted as dropped), so latency stays bounded.
   * "every": files in tests and benches — ffmpeg is paused until each frame is processed.
   */
  delivery: 'latest' | 'every';
  /** Restart when ffmpeg ends (live cameras, looping files); false for a file read once. */
  restart: boolean;
  /** No frame for this long while streaming → stalled → ffmpeg is killed and restarted. */
  stallMs: number;
  /** No first frame within this long after (re)starting ffmpeg → killed and retried. */
  connectTimeoutMs: number;
  backoff: BackoffOptions;
  ffmpegPath?: string;
  /** Called on every state change (for logs). */
  onState?: (health: CameraHealth) => void;
}

type Child = ChildProcessByStdio<null, Readable, Readable>;

/** Decodes a stream with an ffmpeg child process into raw RGB frames at a fixed size and rate. */
export class FfmpegSource implements FrameSource {
  readonly cameraId: string;
  readonly ended: Promise<void>;
  private endResolve!: () => void;
  private child: Child | undefined;
  private childExit: Promise<void> = Promise.resolve();
  private handler: FrameHandler | undefined;
  private stopped = true;
  private state: CameraHealth['state'] = 'connecting';
  private error: StreamError | undefined;
  private killReason: StreamError | undefined;
  private reconnects = 0;
  private lastFrameAt: number | undefined;
  private attemptStartedAt = 0;
  private lastProgressAt = 0;
  private readonly meter = new FpsMeter();
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private seq = 0;
  private queue: RgbFrame[] = [];
  private busy = false;
  dropped = 0;
  decoded = 0;

  constructor(private readonly o: FfmpegSourceOptions) {
    this.cameraId = o.cameraId;
    this.backoff = new Backoff(o.backoff);
    this.ended = new Promise((r) => (this.endResolve = r));
  }

  start(onFrame: FrameHandler): void {
    if (!this.stopped) return;
    this.handler = onFrame;
    this.stopped = false;
    const tick = Math.max(50, Math.min(1000, Math.floor(Math.min(this.o.stallMs, this.o.connectTimeoutMs) / 4)));
    this.watchdog = setInterval(() => this.checkStall(), tick);
    void this.launch();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watchdog);
    clearTimeout(this.retryTimer);
    this.kill();
    await this.childExit;
    this.queue = [];
  }

  health(): CameraHealth {
    const h: CameraHealth = { cameraId: this.cameraId, state: this.state, fps: this.meter.fps(), reconnects: this.reconnects };
    if (this.lastFrameAt !== undefined) h.lastFrameAt = new Date(this.lastFrameAt).toISOString();
    if (this.error && this.state !== 'streaming') h.error = this.error.message.slice(0, 500);
    return h;
  }

  private setState(state: CameraHealth['state']): void {
    if (this.state === state) return;
    this.state = state;
    this.o.onState?.(this.health());
  }

  private async launch(): Promise<void> {
    if (this.stopped) return;
    let url: string;
    try {
      url = typeof this.o.url === 'string' ? this.o.url : await this.o.url();
    } catch (err) {
      this.fail({ kind: 'unreachable', permanent: false, message: (err as Error).message });
      return;
    }
    if (this.stopped) return;
    const args = [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-threads',
      '1',
      ...this.o.inputArgs,
      '-i',
      url,
      '-an',
      '-sn',
      '-dn',
      '-vf',
      `fps=${this.o.fps},scale=${this.o.width}:${this.o.height}`,
      '-pix_fmt',
      'rgb24',
      '-f',
      'rawvideo',
      'pipe:1',
    ];
    let ffmpegPath: string;
    try {
      ffmpegPath = this.o.ffmpegPath ?? resolveFfmpeg().path;
    } catch (err) {
      this.fail({ kind: 'ffmpeg-missing', permanent: true, message: (err as Error).message });
      return;
    }
    let child: Child;
    try {
      child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      this.fail({ kind: 'ffmpeg-missing', permanent: true, message: `cannot start ffmpeg: ${(err as Error).message}` });
      return;
    }
    this.child = child;
    this.killReason = undefined;
    this.attemptStartedAt = Date.now();
    this.lastProgressAt = this.attemptStartedAt;
    const stderr: string[] = [];
    let spawnError: Error | undefined;
    child.on('error', (err) => (spawnError = err));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      for (const line of s.split('\n')) if (line.trim()) stderr.push(line);
      if (stderr.length > 30) stderr.splice(0, stderr.length - 30);
    });
    const size = frameBytes(this.o.width, this.o.height);
    let buf = Buffer.allocUnsafe(size);
    let filled = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(size - filled, chunk.length - off);
        chunk.copy(buf, filled, off, off + n);
        filled += n;
        off += n;
        if (filled === size) {
          this.onDecoded(new Uint8Array(buf.buffer, buf.byteOffset, size), child);
          buf = Buffer.allocUnsafe(size);
          filled = 0;
        }
      }
    });
    this.childExit = new Promise<void>((resolve) => {
      child.on('close', (code, signal) => {
        if (this.child === child) this.child = undefined;
        resolve();
        if (this.stopped) return;
        if (spawnError) {
          const missing = (spawnError as NodeJS.ErrnoException).code === 'ENOENT';
          this.fail({
            kind: missing ? 'ffmpeg-missing' : 'exited',
            permanent: missing,
            message: missing ? `${ffmpegPath} not found. ${FFMPEG_MISSING_HELP}` : spawnError.message,
          });
          return;
        }
        if (code === 0 && !this.o.restart) {
          this.stopped = true;
          clearInterval(this.watchdog);
          void this.drain().then(() => this.endResolve());
          return;
        }
        const why =
          this.killReason ??
          (code === 0
            ? { kind: 'exited' as const, permanent: false, message: `stream ${redactUrl(url)} ended` }
            : classifyFfmpegFailure(url, stderr, code, signal));
        this.fail(why);
      });
    });
  }

  private onDecoded(data: Uint8Array, child: Child): void {
    const now = Date.now();
    this.decoded++;
    this.meter.tick(now);
    this.lastFrameAt = now;
    this.lastProgressAt = now;
    this.backoff.reset();
    this.error = undefined;
    this.setState('streaming');
    const frame: RgbFrame = { width: this.o.width, height: this.o.height, data, seq: this.seq++, capturedAt: now };
    if (this.o.delivery === 'latest') {
      if (this.queue.length > 0) this.dropped++;
      this.queue = [frame];
    } else {
      this.queue.push(frame);
      if (this.queue.length >= 2) child.stdout.pause();
    }
    if (!this.busy) void this.drain();
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      for (let f = this.queue.shift(); f; f = this.queue.shift()) {
        try {
          await this.handler?.(f);
        } catch {
          // The handler reports its own errors; a bad frame never stops the camera.
        }
        this.lastProgressAt = Date.now();
        if (this.queue.length < 2 && this.child?.stdout.isPaused()) this.child.stdout.resume();
      }
    } finally {
      this.busy = false;
    }
  }

  private checkStall(): void {
    if (!this.child || this.stopped) return;
    const now = Date.now();
    if (this.state === 'streaming' || (this.lastFrameAt !== undefined && this.lastFrameAt >= this.attemptStartedAt)) {
      if (!this.busy && now - this.lastProgressAt > this.o.stallMs) {
        this.killReason = {
          kind: 'stalled',
          permanent: false,
          message: `no frame for ${Math.round((now - this.lastProgressAt) / 1000)} s: stream stalled, reconnecting`,
        };
        this.setState('stalled');
        this.kill();
      }
    } else if (now - this.attemptStartedAt > this.o.connectTimeoutMs) {
      this.killReason = {
        kind: 'unreachable',
        permanent: false,
        message: `no video within ${Math.round(this.o.connectTimeoutMs / 1000)} s of connecting`,
      };
      this.kill();
    }
  }

  private kill(): void {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const hard = setTimeout(() => child.kill('SIGKILL'), 1500);
    child.once('close', () => clearTimeout(hard));
  }

  private fail(err: StreamError): void {
    if (this.stopped) return;
    this.error = err;
    this.reconnects++;
    this.setState(err.permanent || err.kind === 'ffmpeg-missing' ? 'failed' : err.kind === 'stalled' ? 'stalled' : 'connecting');
    this.o.onState?.(this.health());
    if (err.kind === 'ffmpeg-missing') return;
    const delay = this.backoff.next();
    this.retryTimer = setTimeout(() => void this.launch(), delay);
  }
}
