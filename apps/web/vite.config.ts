import vue from '@vitejs/plugin-vue';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { feature } from 'topojson-client';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/**
 * `virtual:vietnam-outline`: Vietnam's outline (Natural Earth 1:50m via the world-atlas package,
 * public domain) as GeoJSON, cut out of the world file at build time so the wall's map ships with the
 * app (the networks these walls sit on have no internet, so no tile server).
 */
function vietnamOutline(): Plugin {
  const id = 'virtual:vietnam-outline';
  return {
    name: 'vietnam-outline',
    resolveId: (s) => (s === id ? `\0${id}` : undefined),
    load(s) {
      if (s !== `\0${id}`) return undefined;
      const topo = JSON.parse(readFileSync(require.resolve('world-atlas/countries-50m.json'), 'utf8'));
      const all = feature(topo, topo.objects.countries) as unknown as { features: { id?: string; properties: { name: string } }[] };
      const vn = all.features.filter((f) => f.id === '704');
      if (vn.length !== 1) throw new Error('world-atlas: Vietnam (704) not found');
      // Natural Earth's 1:50m outline leaves out the Hoàng Sa and Trường Sa archipelagos; a map of
      // Việt Nam must show them. Each is drawn as small marks at its main islands (approximate positions).
      const islet = ([lon, lat]: readonly [number, number]) => [
        [
          [lon - 0.07, lat - 0.07],
          [lon + 0.07, lat - 0.07],
          [lon + 0.07, lat + 0.07],
          [lon - 0.07, lat + 0.07],
          [lon - 0.07, lat - 0.07],
        ],
      ];
      const archipelago = (name: string, islands: readonly (readonly [number, number])[]) => ({
        type: 'Feature',
        properties: { name },
        geometry: { type: 'MultiPolygon', coordinates: islands.map(islet) },
      });
      const features = [
        ...vn.map((f) => ({ ...f, properties: { name: 'Việt Nam' } })),
        archipelago('Quần đảo Hoàng Sa', [
          [111.6, 16.53],
          [112.33, 16.83],
          [112.73, 16.67],
          [111.2, 15.78],
          [112.0, 16.2],
        ]),
        archipelago('Quần đảo Trường Sa', [
          [111.92, 8.64],
          [114.36, 10.38],
          [114.28, 11.05],
          [114.33, 11.43],
          [114.33, 9.88],
          [113.8, 8.85],
          [115.0, 10.7],
        ]),
      ];
      return `export default ${JSON.stringify({ type: 'FeatureCollection', features })};`;
    },
  };
}

/**
 * Every text asset of the build also as `.br` (brotli, best) and `.gz` (gzip -9) beside it, so the hub
 * serves them precompressed (apps/hub/src/hub-app.ts) without compressing on each request.
 */
function precompress(): Plugin {
  return {
    name: 'precompress',
    apply: 'build',
    writeBundle(opts) {
      const dir = resolve(opts.dir!, 'assets');
      for (const f of readdirSync(dir)) {
        if (!/\.(js|css|svg|json|html)$/.test(f)) continue;
        const path = resolve(dir, f);
        if (statSync(path).size < 1024) continue;
        const raw = readFileSync(path);
        writeFileSync(
          `${path}.br`,
          brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
        );
        writeFileSync(`${path}.gz`, gzipSync(raw, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  publicDir: false,
  plugins: [vue(), vietnamOutline(), precompress()],
  resolve: { alias: { '@contracts': resolve(here, '../../libs/contracts/src') } },
  build: {
    outDir: resolve(here, '../../dist/web'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    // No source maps in the build the hub serves (they would publish the sources; the chart's alone is
    // 3.8 MB). `WEB_SOURCEMAP=1 npm run build:web` writes them for debugging.
    sourcemap: process.env.WEB_SOURCEMAP === '1',
    // zod's sources carry comments Rollup cannot place; harmless, and noisy in every build.
    rollupOptions: { onwarn: (w, warn) => (w.code === 'INVALID_ANNOTATION' ? undefined : warn(w)) },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000', '/socket.io': { target: 'ws://127.0.0.1:3000', ws: true } } },
});
