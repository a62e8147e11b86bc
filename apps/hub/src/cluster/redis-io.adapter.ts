import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { RedisConnection } from './redis-connection.js';

/**
 * Socket.IO across hub instances (@socket.io/redis-adapter): a push to a site's room on one instance
 * reaches the sockets of that room on every instance, and `fetchSockets` / `disconnect` see them all.
 */
export class RedisIoAdapter extends IoAdapter {
  private readonly clients: Redis[] = [];

  constructor(app: INestApplicationContext) {
    super(app);
    // Their own connections, with error handlers and outage behaviour (RedisConnection.adapterClients).
    const { pub, sub } = app.get(RedisConnection).adapterClients();
    this.clients.push(pub, sub);
  }

  // @nestjs/platform-socket.io carries its own copy of socket.io's types, hence the loose signature.
  override createIOServer(...args: Parameters<IoAdapter['createIOServer']>): ReturnType<IoAdapter['createIOServer']> {
    const server = super.createIOServer(...args);
    server.adapter(createAdapter(this.clients[0]!, this.clients[1]!, { key: 'cg:socket.io' }));
    return server;
  }

  override async close(server: Parameters<IoAdapter['close']>[0]): Promise<void> {
    await super.close(server);
    // The adapter's close() sends UNSUBSCRIBE/PUNSUBSCRIBE without awaiting them; quitting before their
    // replies rejects them unhandled ("Connection is closed"). Replies come in order, so once ours are
    // answered, theirs were too.
    const sub = this.clients[1]!;
    if (sub.status === 'ready') await sub.ping().catch(() => undefined);
    await Promise.all(this.clients.map((c) => (c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.disconnect())));
  }
}
