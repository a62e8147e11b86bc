import type { ClipSpec } from './clip-generator.js';

/** 640×360 at 8 fps; the counting line is vertical at x = 320, the inside to its right. */
export const LINE_X = 320;
export const BAND_PX = 14; // 0.04 × 360

/** People one at a time: two entries, two exits, two turn-backs (one from each side). */
export const SEPARATE: ClipSpec = {
  width: 640,
  height: 360,
  fps: 8,
  seconds: 23,
  walks: [
    {
      person: 'man',
      floorY: 350,
      keys: [
        [0, 40],
        [4, 480],
      ],
    },
    {
      person: 'woman',
      floorY: 340,
      keys: [
        [4.5, 520],
        [8.5, 60],
      ],
    },
    // Turns back 6 px before the line (feet at x = 314).
    {
      person: 'darkHair',
      floorY: 345,
      keys: [
        [8, 40],
        [10, 269],
        [12, 40],
      ],
    },
    {
      person: 'glasses',
      floorY: 350,
      keys: [
        [12, 500],
        [16, 40],
      ],
    },
    // Steps 6 px past the line from the inside, then turns back (inside the dead band).
    {
      person: 'blonde',
      floorY: 340,
      keys: [
        [15, 500],
        [17, 277],
        [19, 500],
      ],
    },
    {
      person: 'woman',
      floorY: 345,
      keys: [
        [18.5, 40],
        [22.5, 520],
      ],
    },
  ],
};

/** People overlapping: two pass each other on the line, two walk in side by side, one turns back as another comes in. */
export const OVERLAPPING: ClipSpec = {
  width: 640,
  height: 360,
  fps: 8,
  seconds: 15,
  walks: [
    {
      person: 'man',
      floorY: 355,
      keys: [
        [0, 30],
        [4, 500],
      ],
    },
    {
      person: 'blonde',
      floorY: 330,
      keys: [
        [0, 510],
        [4, 30],
      ],
    },
    {
      person: 'woman',
      floorY: 345,
      keys: [
        [5, 10],
        [9, 440],
      ],
    },
    {
      person: 'darkHair',
      floorY: 340,
      keys: [
        [5, 110],
        [9, 530],
      ],
    },
    {
      person: 'glasses',
      floorY: 350,
      keys: [
        [10, 510],
        [12, 300],
        [14, 510],
      ],
    },
    {
      person: 'woman',
      floorY: 335,
      keys: [
        [10, 20],
        [14, 480],
      ],
    },
  ],
};
