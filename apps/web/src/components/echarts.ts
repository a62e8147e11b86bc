import { BarChart, EffectScatterChart, HeatmapChart, LineChart, MapChart, ScatterChart } from 'echarts/charts';
import { GeoComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

// Installed once at module load (not in a component's setup): `registerMap` needs the geo parts
// installed before any chart option is computed.
use([
  BarChart,
  LineChart,
  HeatmapChart,
  MapChart,
  ScatterChart,
  EffectScatterChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  VisualMapComponent,
  GeoComponent,
  CanvasRenderer,
]);

export { init, registerMap, type EChartsType } from 'echarts/core';
