import { Inject, Injectable, Logger } from '@nestjs/common';
import type { MqttClient } from 'mqtt';
import { EDGE_CONFIG } from '../config/edge-config.token.js';
import type { EdgeConfig } from '../config/edge-config.schema.js';
import { connectGate } from './gate-connection.js';
import { MqttGateLink, type GateLink } from './gate-link.js';

/**
 * The MQTT connections of all gates this edge serves, opened at start and closed at shutdown. The
 * edge uses them through the `GateLink` port (`link`, `links`); `client`/`entries` hand out the raw
 * mqtt.js client only to the camera's live view and media responder (edge/src/camera), still to move.
 */
@Injectable()
export class GateLinks {
  private readonly log = new Logger('Mqtt');
  private readonly clients = new Map<string, MqttClient>();
  private readonly gateLinks = new Map<string, GateLink>();
  private closing = false;

  constructor(@Inject(EDGE_CONFIG) cfg: EdgeConfig) {
    for (const g of cfg.gates) {
      const c = connectGate(cfg, g.id);
      let wasUp = false;
      let lastError = '';
      c.on('connect', () => {
        wasUp = true;
        lastError = '';
        // The node it reached (with mqtt.urls, mqtt.js has put the current one into its options).
        this.log.log(`gate ${g.id}: connected to ${c.options.protocol}://${c.options.hostname ?? c.options.host}:${c.options.port}`);
      });
      c.on('close', () => {
        if (wasUp && !this.closing) this.log.warn(`gate ${g.id}: connection lost, events wait in the outbox`);
        wasUp = false;
      });
      // While the broker stays unreachable, say so once, not at every reconnect attempt.
      c.on('error', (e) => {
        if (e.message !== lastError) this.log.warn(`gate ${g.id}: ${e.message} (retrying every ${cfg.mqtt.reconnectMs} ms)`);
        lastError = e.message;
      });
      this.clients.set(g.id, c);
      this.gateLinks.set(g.id, new MqttGateLink(g.id, c));
    }
  }

  /** The gate's link (the edge's MQTT port). */
  link(gateId: string): GateLink {
    const l = this.gateLinks.get(gateId);
    if (!l) throw new Error(`no MQTT link for gate ${gateId}`);
    return l;
  }

  links(): GateLink[] {
    return [...this.gateLinks.values()];
  }

  /** The raw client, for edge/src/camera until it takes the port. */
  client(gateId: string): MqttClient {
    const c = this.clients.get(gateId);
    if (!c) throw new Error(`no MQTT link for gate ${gateId}`);
    return c;
  }

  entries(): IterableIterator<[string, MqttClient]> {
    return this.clients.entries();
  }

  /**
   * Ends every gate's connection (called by the edge's shutdown sequence once the outbox has waited for
   * the PUBACKs it was owed): forced, so a broker that no longer answers cannot hold the shutdown.
   */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.links().map((l) => l.close()));
  }
}
