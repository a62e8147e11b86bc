import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { waitFor } from './wait-for.js';

/**
 * Two connected pseudo-terminals from socat, as a serial scanner and its host see a USB-CDC link:
 * bytes written to `scanner` arrive at `host`. `unplug()` kills socat (both ends vanish, the host
 * side read fails), `plug()` starts it again under the same paths.
 */
export class PtyPair {
  private proc: ChildProcess | undefined;
  /** Held open while plugged: socat ends the link when the last opener of a pty side closes it. */
  private fd: number | undefined;

  constructor(
    readonly scanner: string,
    readonly host: string,
  ) {}

  async plug(): Promise<void> {
    const p = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.scanner}`, `pty,raw,echo=0,link=${this.host}`], { stdio: 'ignore' });
    this.proc = p;
    await waitFor(
      () => existsSync(this.scanner) && existsSync(this.host),
      (ok) => ok,
      5000,
      'socat pty links',
    );
    this.fd = openSync(this.scanner, 'w');
  }

  /** Writes bytes as the scanner sends them (in one write; split them with several calls). */
  send(data: string | Buffer): void {
    if (this.fd === undefined) throw new Error('pty pair is unplugged');
    writeSync(this.fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  async unplug(): Promise<void> {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
    await waitFor(
      () => existsSync(this.scanner) || existsSync(this.host),
      (any) => !any,
      5000,
      'socat pty links gone',
    );
  }
}
