import { registerMap } from './echarts.js';
import outline from 'virtual:vietnam-outline';

/** The bundled outline of Vietnam (no tile server), registered once for ECharts' `geo`. */
let done = false;
export function vietnamMap(): string {
  if (!done) registerMap('vietnam', outline as never);
  done = true;
  return 'vietnam';
}
