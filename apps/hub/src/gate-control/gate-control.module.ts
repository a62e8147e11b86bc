import type { Provider, Type } from '@nestjs/common';
import { LiveCropStore } from '../alerts/live-crop.store.js';
import { CameraViewRelay } from './camera-view.relay.js';
import { GateControlController } from './gate-control.controller.js';
import { GateMqttBridge } from './gate-mqtt.bridge.js';
import { LaneStateRelay } from './lane-state.relay.js';

/**
 * Operator console back end, for HubModule: lane states to the site room, review verdicts and manual
 * opens to the gates; live camera tiles. Part of HubModule itself (not a module of its own), so its classes get the
 * configuration, registry, audit, gateway and MQTT layer injected.
 */
export const gateControlControllers: Type[] = [GateControlController];
export const gateControlProviders: Provider[] = [GateMqttBridge, LaneStateRelay, LiveCropStore, CameraViewRelay];
