import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import mqtt, { type MqttClient } from 'mqtt';
import { CameraViewLeaseSchema, GateCommandSchema, parseCameraFramesTopic, topicFilters, topics, type CameraViewLease, type GateCommand } from '../../../../libs/contracts/src/index.js';
import { EmbeddedBroker } from '../broker/embedded-broker.service.js';
import { externalBrokerLogin } from '../broker/external-broker-login.js';
import { HUB_CONFIG, type HubConfig } from '../config/hub-config.js';

/** A command that did not reach the broker in time (and will not go out later). */
export class CommandNotSent extends Error {}

/**
 * The hub's MQTT side of gate control: publishes commands to a gate (QoS 1) and receives live lane
 * states. In-process on the embedded broker; a client with the hub's login on an external one.
 */
@Injectable()
export class GateMqttBridge implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('GateControl');
  private client: MqttClient | undefined;
  private broker: EmbeddedBroker | undefined;
  onLaneState: (topic: string, payload: Buffer) => void = () => undefined;
  onCameraFrame: (topic: string, payload: Buffer) => void = () => undefined;

  constructor(private readonly refs: ModuleRef) {}

  async onApplicationBootstrap(): Promise<void> {
    const cfg = this.refs.get<HubConfig>(HUB_CONFIG, { strict: false });
    const broker = this.refs.get(EmbeddedBroker, { strict: false });
    if (broker.enabled && broker.instance) {
      this.broker = broker;
      await new Promise<void>((r) =>
        broker.instance!.subscribe(topicFilters.allGateLanes, (packet, cb) => {
          this.onLaneState(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
          cb();
        }, r),
      );
      await new Promise<void>((r) =>
        broker.instance!.subscribe(topicFilters.allCameraFrames, (packet, cb) => {
          this.onCameraFrame(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload));
          cb();
        }, r),
      );
      return;
    }
    if (!cfg.mqttUrl) return;
    this.client = mqtt.connect(cfg.mqttUrl, {
      clientId: `cg-${cfg.instanceId}-gate-control`,
      clean: true,
      protocolVersion: 4,
      ...externalBrokerLogin(cfg),
      reconnectPeriod: 1000,
    });
    this.client.on('connect', () => this.client!.subscribe([topicFilters.allGateLanes, topicFilters.allCameraFrames], { qos: 0 }));
    this.client.on('message', (topic, payload) => (parseCameraFramesTopic(topic) ? this.onCameraFrame(topic, payload) : this.onLaneState(topic, payload)));
    this.client.on('error', (e) => this.log.warn(e.message));
  }

  /**
   * Publishes a command and waits for the broker's PUBACK, at most `timeoutMs`. Nothing is queued for
   * later: with the broker unreachable it fails at once, and on a timeout the message is taken back
   * out of mqtt.js' outgoing store, so an "open" never goes out when the broker returns (the edge
   * would refuse it as expired anyway).
   */
  async publish(cmd: GateCommand, timeoutMs: number): Promise<void> {
    const payload = Buffer.from(JSON.stringify(GateCommandSchema.parse(cmd)));
    const topic = topics.gateCommands(cmd.siteId, cmd.gateId);
    if (this.broker?.instance) {
      const aedes = this.broker.instance;
      await new Promise<void>((resolve, reject) =>
        aedes.publish({ cmd: 'publish', topic, payload, qos: 1, retain: false, dup: false }, (e?: Error) => (e ? reject(e) : resolve())),
      );
      return;
    }
    const client = this.client;
    if (!client?.connected) throw new CommandNotSent('the MQTT broker is unreachable; the command was not sent');
    let messageId: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const acked = new Promise<void>((resolve, reject) => {
      client.publish(topic, payload, { qos: 1 }, (e) => (e ? reject(e) : resolve()));
      messageId = client.getLastMessageId();
    });
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CommandNotSent(`the MQTT broker did not acknowledge the command within ${timeoutMs} ms; it was withdrawn`)), timeoutMs);
    });
    try {
      await Promise.race([acked, late]);
    } catch (e) {
      acked.catch(() => undefined);
      if (messageId !== undefined) client.removeOutgoingMessage(messageId);
      throw e instanceof CommandNotSent ? e : new CommandNotSent(`the command was not sent: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A camera view lease to its gate: QoS 0, never queued (the next renewal replaces a lost one). */
  publishLease(lease: CameraViewLease): void {
    const payload = Buffer.from(JSON.stringify(CameraViewLeaseSchema.parse(lease)));
    const topic = topics.gateCameraView(lease.siteId, lease.gateId);
    if (this.broker?.instance) {
      this.broker.instance.publish({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }, (e?: Error) => e && this.log.warn(`camera lease: ${e.message}`));
      return;
    }
    if (this.client?.connected) this.client.publish(topic, payload, { qos: 0 });
  }

  async onApplicationShutdown(): Promise<void> {
    // A graceful end waits for queued commands; without a connection they would never go, so force it.
    await this.client?.endAsync(!this.client.connected).catch(() => undefined);
  }
}
