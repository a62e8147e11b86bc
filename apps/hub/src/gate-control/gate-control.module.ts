import { Module } from '@nestjs/common';
import { LiveCropStore } from '../alerts/live-crop.store.js';
import { CameraViewRelay } from './camera-view.relay.js';
import { GateControlController } from './gate-control.controller.js';
import { GateMqttBridge } from './gate-mqtt.bridge.js';
import { LaneStateRelay } from './lane-state.relay.js';

/** Operator console back end: lane states to the site room, review verdicts and manual opens to the gates; live camera tiles. */
@Module({ controllers: [GateControlController], providers: [GateMqttBridge, LaneStateRelay, LiveCropStore, CameraViewRelay], exports: [LiveCropStore] })
export class GateControlModule {}
