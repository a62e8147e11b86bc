import { generate } from 'mqtt-packet';
import type { MqttClient } from 'mqtt';

/**
 * Acknowledges QoS 1 messages of an mqtt.js connection after the hub has handled them, in arrival
 * order. mqtt.js itself sends a PUBACK as soon as its message handler calls back, and reads nothing
 * further until then; to read on while a batch commits, the handler calls back with `ACK_LATER` (no
 * PUBACK from mqtt.js) and this writes the PUBACK itself: a packet made by mqtt-packet (the library
 * mqtt.js uses for its own packets) written to the connection's public `stream`, never a private
 * mqtt.js method.
 *
 * Only on the connection the message came on: after a reconnect the broker sends it again (same
 * session), and a PUBACK from the old connection must not acknowledge it unhandled (`reset` on close).
 */
export class PubackAfterCommit {
  /** Passed to mqtt.js' handleMessage callback: go on reading, but do not send the PUBACK. */
  static readonly ACK_LATER = Object.assign(new Error('acknowledged after the commit'), { ackLater: true });

  private pending: { messageId: number; done: boolean }[] = [];
  private generation = 0;

  constructor(private readonly client: Pick<MqttClient, 'connected' | 'stream'>) {}

  /** A message read; returns the function that marks it handled. */
  track(messageId: number): () => void {
    const slot = { messageId, done: false };
    const gen = this.generation;
    this.pending.push(slot);
    return () => {
      slot.done = true;
      this.flush(gen);
    };
  }

  /** The connection closed: what is pending will be redelivered, and is not acknowledged here. */
  reset(): void {
    this.generation++;
    this.pending = [];
  }

  private flush(gen: number): void {
    if (gen !== this.generation) return;
    while (this.pending.length && this.pending[0]!.done) {
      const { messageId } = this.pending.shift()!;
      if (this.client.connected) this.client.stream.write(generate({ cmd: 'puback', messageId }));
    }
  }
}
