import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Python script lives beside this file's source (test/camera), also when run from dist/. */
const script = join(dirname(fileURLToPath(import.meta.url)).replace(/\/dist\/test\/camera$/, '/test/camera'), 'rtsp-server.py');

export interface RtspServerConfig {
  port: number;
  user?: string;
  password?: string;
  /** Mount path → H.264 MP4 file (no B-frames) or { launch: GStreamer launch line }. */
  mounts: Record<string, string | { launch: string }>;
}

/** A real RTSP server (GStreamer gst-rtsp-server via /usr/bin/python3) on 127.0.0.1. */
export class RtspServer {
  private child: ChildProcess | undefined;

  constructor(readonly config: RtspServerConfig) {}

  url(mount: string, credentials?: string): string {
    return `rtsp://${credentials ? credentials + '@' : ''}127.0.0.1:${this.config.port}${mount}`;
  }

  async start(): Promise<void> {
    const child = spawn('/usr/bin/python3', [script, JSON.stringify(this.config)], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`RTSP server did not start: ${err}`)), 15_000);
      child.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('READY')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`RTSP server exited (${code}): ${err}`));
      });
    });
  }

  /** Kills the server at once (SIGKILL, like a camera losing power). */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await exited;
  }
}
