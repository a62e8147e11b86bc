import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DeadLetterService } from '../ingest/dead-letter.service.js';
import { EmbeddedBroker } from './embedded-broker.service.js';
import { HubMqtt } from './hub-mqtt.service.js';
import { oversizeDetail, type Oversize } from './payload-limits.js';

/** Oversized MQTT messages (embedded broker's size guard, external broker's messages) → dead letters, `oversized`, size and limit; never parsed. */
@Injectable()
export class PayloadLimitWiring implements OnModuleInit {
  constructor(
    private readonly broker: EmbeddedBroker,
    private readonly mqtt: HubMqtt,
    private readonly deadLetters: DeadLetterService,
  ) {}

  onModuleInit(): void {
    const sink = (o: Oversize, from: string) =>
      void this.deadLetters.reject(o.topic, Buffer.alloc(0), 'oversized', `${oversizeDetail(o)} (from ${from})`, o.bytes);
    this.broker.onOversize = sink;
    this.mqtt.onOversize = sink;
  }
}
