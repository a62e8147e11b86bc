// Makes sure pcscd (with the vpcd driver from /etc/reader.conf.d) is running for PC/SC tests; starts
// it in the foreground as a child when absent (CI has no systemd) and stops only what it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';

export interface PcscdHandle {
  started: boolean;
  stop(): Promise<void>;
}

function pcscdRunning(): boolean {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'pcscd') return true;
    } catch {
      // process exited while scanning
    }
  }
  return false;
}

const SOCKET = '/run/pcscd/pcscd.comm';

export async function ensurePcscd(timeoutMs = 10000): Promise<PcscdHandle> {
  if (pcscdRunning()) return { started: false, stop: async () => undefined };
  if (!existsSync('/usr/sbin/pcscd')) throw new Error('pcscd is not installed (Debian packages pcscd and vsmartcard-vpcd)');
  const child: ChildProcess = spawn('/usr/sbin/pcscd', ['--foreground'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const startedAt = Date.now() - 1000;
  const deadline = Date.now() + timeoutMs;
  // Wait for a socket created by this pcscd (a stale one from a killed daemon may still exist).
  const ready = () => existsSync(SOCKET) && statSync(SOCKET).mtimeMs >= startedAt;
  while (!ready()) {
    if (child.exitCode !== null) throw new Error(`pcscd exited with code ${child.exitCode}`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error('pcscd did not create its socket in time');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    started: true,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
