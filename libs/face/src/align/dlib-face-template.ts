import type { Point } from './geometry.js';

/**
 * dlib's mean face (points 18–68 of the iBUG 68-point scheme, unit square), the reference that
 * dlib's get_face_chip_details() aligns to and that its ResNet face recogniser was trained on.
 */
const MEAN_X = [
  0.000213256, 0.0752622, 0.18113, 0.29077, 0.393397, 0.586856, 0.689483, 0.799124, 0.904991, 0.98004, 0.490127, 0.490127, 0.490127,
  0.490127, 0.36688, 0.426036, 0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825, 0.334606, 0.260918, 0.182743, 0.645647, 0.714428,
  0.793132, 0.858516, 0.79751, 0.719335, 0.254149, 0.340985, 0.428858, 0.490127, 0.551395, 0.639268, 0.726104, 0.642159, 0.556721, 0.490127,
  0.423532, 0.338094, 0.290379, 0.428096, 0.490127, 0.552157, 0.689874, 0.553364, 0.490127, 0.42689,
];
const MEAN_Y = [
  0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891, 0.0187482, 0.038915, 0.106454, 0.203352, 0.307009, 0.409805,
  0.515625, 0.587326, 0.609345, 0.628106, 0.609345, 0.587326, 0.216423, 0.178758, 0.179852, 0.231733, 0.245099, 0.244077, 0.231733,
  0.179852, 0.178758, 0.216423, 0.244077, 0.245099, 0.780233, 0.745405, 0.727388, 0.742578, 0.727388, 0.745405, 0.780233, 0.864805,
  0.902192, 0.909281, 0.902192, 0.864805, 0.784792, 0.778746, 0.785343, 0.778746, 0.784792, 0.824182, 0.831803, 0.824182,
];

/** First iBUG index the template covers (0-based): the jaw line (0–16) is not used. */
export const TEMPLATE_FIRST_LANDMARK = 17;

/** Template points in a size×size chip with dlib's padding (0.25 by default). */
export function dlibChipTemplate(size: number, padding = 0.25): Point[] {
  const scale = size / (1 + 2 * padding);
  return MEAN_X.map((x, i) => ({ x: (x + padding) * scale, y: (MEAN_Y[i] + padding) * scale }));
}

/** The five-point version (eye centres, nose tip, mouth corners) of any 51/68-point set. */
export function fivePointsFrom68(p: readonly Point[]): Point[] {
  const mean = (from: number, to: number): Point => {
    let x = 0,
      y = 0;
    for (let i = from; i <= to; i++) {
      x += p[i].x;
      y += p[i].y;
    }
    const n = to - from + 1;
    return { x: x / n, y: y / n };
  };
  return [mean(36, 41), mean(42, 47), p[30], p[48], p[54]];
}
