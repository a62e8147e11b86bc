import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signalAndWaitExit } from './child-exit.js';
import { freePort } from './ports.js';

/**
 * Debian's nginx running deploy/nginx/hub-lb.conf as shipped, except its `listen` (a free port on
 * 127.0.0.1) and upstream servers (the given hub addresses), in its own directory and process.
 */
export class PrivateNginx {
  private proc: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'cg-nginx-'));
  port = 0;
  private log = '';

  constructor(private readonly upstreams: string[]) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    const shipped = readFileSync('deploy/nginx/hub-lb.conf', 'utf8');
    const servers = /^\s*server hub-[ab]:3000 .*$/gm;
    if (!/^\s*listen 8080;$/m.test(shipped) || (shipped.match(servers) ?? []).length !== 2)
      throw new Error('deploy/nginx/hub-lb.conf changed: expected `listen 8080;` and two `server hub-a/b:3000` lines');
    let i = 0;
    const site = shipped
      .replace(/^\s*listen 8080;$/m, `  listen 127.0.0.1:${this.port};`)
      .replace(servers, () => `  server ${this.upstreams[i++ % this.upstreams.length]} max_fails=2 fail_timeout=5s;`);
    writeFileSync(join(this.dir, 'hub-lb.conf'), site);
    const d = this.dir;
    writeFileSync(
      join(d, 'nginx.conf'),
      `daemon off;\nworker_processes 1;\npid ${d}/nginx.pid;\nerror_log ${d}/error.log warn;\nevents { worker_connections 256; }\nhttp {\n  access_log off;\n  client_body_temp_path ${d}/body;\n  proxy_temp_path ${d}/proxy;\n  fastcgi_temp_path ${d}/fastcgi;\n  uwsgi_temp_path ${d}/uwsgi;\n  scgi_temp_path ${d}/scgi;\n  include ${d}/hub-lb.conf;\n}\n`,
    );
    this.proc = spawn('nginx', ['-c', join(d, 'nginx.conf'), '-p', d, '-e', join(d, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (x) => (this.log += x));
    this.proc.stderr!.on('data', (x) => (this.log += x));
    for (let n = 0; n < 100; n++) {
      const open = await new Promise<boolean>((r) => {
        const s = connect(this.port, '127.0.0.1');
        s.once('connect', () => (s.destroy(), r(true)));
        s.once('error', () => r(false));
      });
      if (open) return;
      if (this.proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`nginx did not start: ${this.log.slice(0, 1000)}${readFileSync(join(d, 'error.log'), 'utf8').slice(0, 1000)}`);
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await signalAndWaitExit(p, 'SIGTERM', 5000);
  }
}
