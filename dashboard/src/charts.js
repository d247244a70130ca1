// Apache ECharts, with only the parts the dashboard draws (tree-shaken by esbuild), and the
// defaults every chart shares. Tooltips render on the canvas (`renderMode: "richText"`) so no
// inline style attribute is ever written into the page, which the CSP would refuse.

import { BarChart, GraphChart, LineChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  LineChart,
  GraphChart,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export const palette = {
  blue: "#1f5fbf",
  orange: "#c2570c",
  green: "#1a7f37",
  purple: "#7a3db8",
  grey: "#5c6670",
  red: "#b42318",
  teal: "#0f766e",
};

const charts = new Map();
const resizer =
  typeof ResizeObserver === "function"
    ? new ResizeObserver((entries) => {
        for (const entry of entries) charts.get(entry.target)?.resize();
      })
    : null;

// The chart drawn in `element`, created on first use and resized with its box.
export function chartIn(element) {
  let chart = charts.get(element);
  if (!chart) {
    chart = echarts.init(element, null, { renderer: "canvas" });
    charts.set(element, chart);
    resizer?.observe(element);
  }
  return chart;
}

export function disposeChart(element) {
  const chart = charts.get(element);
  if (chart) {
    resizer?.unobserve(element);
    chart.dispose();
    charts.delete(element);
  }
}

export function disposeAllCharts() {
  for (const element of [...charts.keys()]) disposeChart(element);
}

// Options every weekly chart starts from; `extra` is merged on top.
export function baseOptions(extra = {}) {
  return {
    animationDuration: 300,
    textStyle: { fontFamily: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif" },
    tooltip: { trigger: "axis", renderMode: "richText", confine: true },
    legend: { type: "scroll", top: 0, left: 0, itemGap: 14 },
    grid: { left: 8, right: 12, top: 36, bottom: 8, containLabel: true },
    ...extra,
  };
}

// A dashed horizontal reference line (a target) on a series.
export function targetLine(value, label, color = palette.red) {
  return {
    silent: true,
    symbol: "none",
    lineStyle: { type: "dashed", color, width: 1.5 },
    label: { formatter: label, position: "insideEndTop", color },
    data: [{ yAxis: value }],
  };
}
