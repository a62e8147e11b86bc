import { OnnxGraphBuilder } from '../onnx/onnx-graph-builder.js';
import { hwioToOihw, takeWeight, type WeightMap } from './face-api-weights.js';
import { add, convNode, relu, tfConv, tfSeparableConv } from './onnx-layers.js';

/**
 * Converters from face-api's weight maps to ONNX graphs with the same arithmetic as face-api's
 * TF.js code (src/faceRecognitionNet, src/faceLandmarkNet, src/tinyFaceDetector in
 * @vladmandic/face-api). Inputs are NCHW float32, already normalised by the caller as the manifest
 * says, so the graphs are pure convolution stacks that any ONNX runtime can execute.
 */

/** dlib ResNet-34 face recogniser: input [N,3,150,150] → descriptor [N,128]. */
export function recognitionNetToOnnx(w: WeightMap): Uint8Array {
  const b = new OnnxGraphBuilder('face_recognition_resnet');
  const x = b.input('input', ['N', 3, 150, 150]);

  // conv → +bias → *scale+shift, folded into one Conv.
  const scaledConv = (input: string, prefix: string, stride: number, withRelu: boolean): string => {
    const f = takeWeight(w, `${prefix}/conv/filters`, 4);
    const bias = takeWeight(w, `${prefix}/conv/bias`, 1).data;
    const sw = takeWeight(w, `${prefix}/scale/weights`, 1).data;
    const sb = takeWeight(w, `${prefix}/scale/biases`, 1).data;
    const [kh, kw, cin, cout] = f.shape;
    const folded = new Float32Array(cout);
    for (let o = 0; o < cout; o++) folded[o] = bias[o] * sw[o] + sb[o];
    const out = convNode(b, input, prefix, hwioToOihw(f, sw), [cout, cin, kh, kw], folded, {
      stride,
      padding: stride === 2 ? 'valid' : 'same',
    });
    return withRelu ? relu(b, out) : out;
  };
  const residual = (input: string, prefix: string): string => {
    const c1 = scaledConv(input, `${prefix}/conv1`, 1, true);
    const c2 = scaledConv(c1, `${prefix}/conv2`, 1, false);
    return relu(b, add(b, c2, input));
  };
  // Down-sampling block: conv branch with stride 2 'valid', shortcut is 2×2 average pooling; the
  // conv branch is zero-padded at the bottom/right when pooling yields a larger map, the shortcut is
  // zero-padded in channels when the block widens (exactly as face-api's residualDown).
  const residualDown = (input: string, prefix: string, size: number, cin: number): [string, number] => {
    const c1 = scaledConv(input, `${prefix}/conv1`, 2, true);
    const c2 = scaledConv(c1, `${prefix}/conv2`, 1, false);
    const cout = takeWeight(w, `${prefix}/conv2/conv/filters`, 4).shape[3];
    const convSize = Math.floor((size - 3) / 2) + 1;
    const poolSize = Math.floor(size / 2);
    let branch = c2;
    if (poolSize !== convSize) {
      const d = poolSize - convSize;
      branch = b.node('Pad', [c2, b.int64Constant(b.fresh('pads'), [0, 0, 0, 0, 0, 0, d, d])]);
    }
    let pooled = b.node('AveragePool', [input], { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } });
    if (cout !== cin) pooled = b.node('Pad', [pooled, b.int64Constant(b.fresh('pads'), [0, 0, 0, 0, 0, cout - cin, 0, 0])]);
    return [relu(b, add(b, pooled, branch)), poolSize];
  };

  let out = scaledConv(x, 'conv32_down', 2, true); // 150 → 72
  out = b.node('MaxPool', [out], { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] } }); // → 35
  let size = 35;
  out = residual(out, 'conv32_1');
  out = residual(out, 'conv32_2');
  out = residual(out, 'conv32_3');
  [out, size] = residualDown(out, 'conv64_down', size, 32);
  out = residual(out, 'conv64_1');
  out = residual(out, 'conv64_2');
  out = residual(out, 'conv64_3');
  [out, size] = residualDown(out, 'conv128_down', size, 64);
  out = residual(out, 'conv128_1');
  out = residual(out, 'conv128_2');
  [out, size] = residualDown(out, 'conv256_down', size, 128);
  out = residual(out, 'conv256_1');
  out = residual(out, 'conv256_2');
  [out] = residualDown(out, 'conv256_down_out', size, 256);
  out = b.node('GlobalAveragePool', [out]);
  out = b.node('Flatten', [out], { axis: { i: 1 } });
  const fc = takeWeight(w, 'fc', 2);
  b.node('MatMul', [out, b.floatConstant('fc', fc.shape, fc.data)], {}, 'descriptor');
  b.output('descriptor', ['N', fc.shape[1]]);
  return b.encode();
}

/** 68-point landmark net: input [N,3,112,112] → [N,136] (x,y pairs relative to the input square). */
export function landmark68NetToOnnx(w: WeightMap): Uint8Array {
  const b = new OnnxGraphBuilder('face_landmark_68');
  const x = b.input('input', ['N', 3, 112, 112]);
  const sep = (input: string, prefix: string, stride: number) =>
    tfSeparableConv(b, input, w, prefix, { stride, padding: 'same' });
  const dense = (input: string, prefix: string, first: boolean): string => {
    const c0 = first ? tfConv(b, input, w, `${prefix}/conv0`, { stride: 2, padding: 'same' }) : sep(input, `${prefix}/conv0`, 2);
    const out1 = relu(b, c0);
    const out2 = sep(out1, `${prefix}/conv1`, 1);
    const in3 = relu(b, add(b, out1, out2));
    const out3 = sep(in3, `${prefix}/conv2`, 1);
    const in4 = relu(b, add(b, out1, add(b, out2, out3)));
    const out4 = sep(in4, `${prefix}/conv3`, 1);
    return relu(b, add(b, out1, add(b, out2, add(b, out3, out4))));
  };
  let out = dense(x, 'dense0', true);
  out = dense(out, 'dense1', false);
  out = dense(out, 'dense2', false);
  out = dense(out, 'dense3', false);
  out = b.node('AveragePool', [out], { kernel_shape: { ints: [7, 7] }, strides: { ints: [2, 2] } });
  out = b.node('Flatten', [out], { axis: { i: 1 } });
  const fw = takeWeight(w, 'fc/weights', 2);
  const fb = takeWeight(w, 'fc/bias', 1);
  const mm = b.node('MatMul', [out, b.floatConstant('fc/weights', fw.shape, fw.data)]);
  b.node('Add', [mm, b.floatConstant('fc/bias', fb.shape, fb.data)], {}, 'landmarks');
  b.output('landmarks', ['N', 136]);
  return b.encode();
}

/** Tiny face detector (Tiny-YOLOv2 with separable convs): [N,3,S,S] → grid [N,25,S/32,S/32]. */
export function tinyFaceDetectorToOnnx(w: WeightMap): Uint8Array {
  const b = new OnnxGraphBuilder('tiny_face_detector');
  const x = b.input('input', ['N', 3, 'H', 'W']);
  const leaky = (input: string) => b.node('LeakyRelu', [input], { alpha: { f: 0.1 } });
  const pool = (input: string, stride: number) =>
    b.node('MaxPool', [input], { kernel_shape: { ints: [2, 2] }, strides: { ints: [stride, stride] }, auto_pad: { s: 'SAME_UPPER' } });
  let out = leaky(tfConv(b, x, w, 'conv0', { padding: 'valid' }));
  out = pool(out, 2);
  out = leaky(tfSeparableConv(b, out, w, 'conv1', { padding: [1, 1, 1, 1] }));
  out = pool(out, 2);
  out = leaky(tfSeparableConv(b, out, w, 'conv2', { padding: [1, 1, 1, 1] }));
  out = pool(out, 2);
  out = leaky(tfSeparableConv(b, out, w, 'conv3', { padding: [1, 1, 1, 1] }));
  out = pool(out, 2);
  out = leaky(tfSeparableConv(b, out, w, 'conv4', { padding: [1, 1, 1, 1] }));
  out = pool(out, 2);
  out = leaky(tfSeparableConv(b, out, w, 'conv5', { padding: [1, 1, 1, 1] }));
  out = pool(out, 1);
  tfConvTo(b, out, w, 'conv8', 'grid');
  b.output('grid', ['N', 25, 'GH', 'GW']);
  return b.encode();
}

function tfConvTo(b: OnnxGraphBuilder, x: string, w: WeightMap, prefix: string, output: string): void {
  const f = takeWeight(w, `${prefix}/filters`, 4);
  const bias = takeWeight(w, `${prefix}/bias`, 1);
  const [kh, kw, cin, cout] = f.shape;
  const conv = convNode(b, x, prefix, hwioToOihw(f), [cout, cin, kh, kw], bias.data);
  b.node('Identity', [conv], {}, output);
}
