/// <reference types="vite/client" />
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
declare module 'virtual:vietnam-outline' {
  const geo: { type: 'FeatureCollection'; features: unknown[] };
  export default geo;
}
