import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import {
  CameraViewLeaseSchema,
  GateCommandSchema,
  topicFilters,
  topics,
  type CameraViewLease,
  type GateCommand,
} from '../../../../libs/contracts/src/index.js';
import { HubMqtt, PublishNotSent } from '../broker/hub-mqtt.service.js';

/** A command that did not reach the broker in time (and will not go out later). */
export class CommandNotSent extends Error {}

/**
 * The hub's MQTT side of gate control: publishes commands to a gate (QoS 1) and receives live lane
 * states, through HubMqtt (in-process on the embedded broker, the hub's control connection on an
 * external one).
 */
@Injectable()
export class GateMqttBridge implements OnApplicationBootstrap {
  onLaneState: (topic: string, payload: Buffer) => void = () => undefined;
  onCameraFrame: (topic: string, payload: Buffer) => void = () => undefined;

  constructor(private readonly mqtt: HubMqtt) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.mqtt.subscribe(topicFilters.allGateLanes, 0, (topic, payload) => this.onLaneState(topic, payload));
    await this.mqtt.subscribe(topicFilters.allCameraFrames, 0, (topic, payload) => this.onCameraFrame(topic, payload));
  }

  /**
   * Publishes a command and waits for the broker's PUBACK, at most `timeoutMs`. Nothing is queued for
   * later: with the broker unreachable it fails at once, and on a timeout the message is withdrawn,
   * so an "open" never goes out when the broker returns (the edge would refuse it as expired anyway).
   */
  async publish(cmd: GateCommand, timeoutMs: number): Promise<void> {
    const payload = Buffer.from(JSON.stringify(GateCommandSchema.parse(cmd)));
    try {
      await this.mqtt.publish(topics.gateCommands(cmd.siteId, cmd.gateId), payload, { timeoutMs });
    } catch (e) {
      throw new CommandNotSent(
        e instanceof PublishNotSent ? e.message.replace('the message', 'the command') : `the command was not sent: ${(e as Error).message}`,
      );
    }
  }

  /** A camera view lease to its gate: QoS 0, never queued (the next renewal replaces a lost one). */
  publishLease(lease: CameraViewLease): void {
    const payload = Buffer.from(JSON.stringify(CameraViewLeaseSchema.parse(lease)));
    this.mqtt.publishVolatile(topics.gateCameraView(lease.siteId, lease.gateId), payload);
  }
}
