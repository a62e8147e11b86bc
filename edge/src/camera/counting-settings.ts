import type { ByteTrackerOptions } from '../vision/byte-tracker.js';
import { COUNTING_PROFILES } from '../vision/counting-profiles.js';
import type { DetectorChoice } from '../vision/create-person-detector.js';
import type { CameraConfig } from './camera-config.schema.js';

/** The detector and tracker a parsed camera config (mount defaults filled in) runs with. */
export function countingSettings(cam: CameraConfig, movenetModelPath?: string): { detector: DetectorChoice; tracker: ByteTrackerOptions } {
  const p = COUNTING_PROFILES[cam.mount];
  const detector: DetectorChoice = {
    detector: cam.detector,
    frameWidth: cam.width,
    frameHeight: cam.height,
    inputWidth: cam.inputWidth,
    minScore: cam.minScore,
    // The worker's model override is MoveNet's (tests and site-supplied graphs).
    ...(movenetModelPath && cam.detector === 'movenet' ? { modelPath: movenetModelPath } : {}),
    ...(cam.personSize !== undefined ? { personSize: cam.personSize } : {}),
  };
  // The mount's tracker suits its detector; another detector chosen by hand keeps the defaults.
  const tracker = cam.detector === p.detector ? p.tracker : {};
  return { detector, tracker };
}
