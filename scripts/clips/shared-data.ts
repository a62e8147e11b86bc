import { join, resolve } from 'node:path';

/** The read-only shared test data (real footage, faces), used in place: never copied into the repo. */
export const sharedDir = resolve(process.env.CG_SHARED_DIR ?? '../shared');
export const sharedVideo = (name: string) => join(sharedDir, 'video', name);
export const walkingClip = sharedVideo('face-demographics-walking.transcoded.mp4');
export const walkingPauseClip = sharedVideo('face-demographics-walking-and-pause.transcoded.mp4');
