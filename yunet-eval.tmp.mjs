import ort from 'onnxruntime-node';
import sharp from 'sharp';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
const S = 640;
const sess = await ort.InferenceSession.create('/tmp/yunet/yunet.onnx', { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
console.log('inputs', sess.inputNames, 'outputs', sess.outputNames.join(','));
async function detect(buf) {
  const img = sharp(buf).rotate();
  const { data, info } = await img.resize(S, S, { fit: 'contain', background: '#000', position: 'left top' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const t = new Float32Array(3 * S * S);
  for (let i = 0; i < S * S; i++) { t[i] = data[3 * i + 2]; t[S * S + i] = data[3 * i + 1]; t[2 * S * S + i] = data[3 * i]; }
  const t0 = performance.now();
  const out = await sess.run({ [sess.inputNames[0]]: new ort.Tensor('float32', t, [1, 3, S, S]) });
  const ms = performance.now() - t0;
  let n = 0, best = 0;
  for (const s of [8, 16, 32]) {
    const cls = out[`cls_${s}`].data, obj = out[`obj_${s}`].data;
    for (let i = 0; i < cls.length; i++) { const sc = Math.sqrt(Math.min(1, Math.max(0, cls[i])) * Math.min(1, Math.max(0, obj[i]))); if (sc >= 0.6) n++; best = Math.max(best, sc); }
  }
  return { n, best, ms };
}
const sets = {
  faces: readdirSync('../shared/faces').filter((d) => statSync(join('../shared/faces', d)).isDirectory()).flatMap((d) => readdirSync(join('../shared/faces', d)).filter((f) => f.endsWith('.jpg')).map((f) => join('../shared/faces', d, f))),
  singles: readdirSync('../shared/faces-extras/singles').filter((f) => /\.(jpe?g|png)$/i.test(f)).map((f) => join('../shared/faces-extras/singles', f)),
  'faces-ea': readdirSync('test/fixtures/faces-ea').filter((d) => statSync(join('test/fixtures/faces-ea', d)).isDirectory()).flatMap((d) => readdirSync(join('test/fixtures/faces-ea', d)).map((f) => join('test/fixtures/faces-ea', d, f))),
  london: readdirSync('../shared/faces-london').filter((d) => d.startsWith('frl_')).flatMap((d) => ['1.jpg', '2.jpg'].map((f) => join('../shared/faces-london', d, f))),
};
for (const [name, files] of Object.entries(sets)) {
  let fte = [], ms = [];
  for (const f of files) { const r = await detect(readFileSync(f)); ms.push(r.ms); if (!r.n) fte.push(f.split('/').slice(-2).join('/')); }
  ms.sort((a, b) => a - b);
  console.log(`${name}: ${files.length} photos, FTE ${fte.length} ${fte.join(' ')}; model ms median ${ms[ms.length >> 1].toFixed(1)}`);
}
