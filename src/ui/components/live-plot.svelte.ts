// One live uPlot chart as a Svelte action: the options every live chart shares (size, the
// cursor synced across charts by `syncKey`, a live legend, steps on x), a resize observer,
// and a data function re-read whenever the state it reads changes — only `setData` runs
// per step, so the main thread stays free.
import uPlot from 'uplot';
import { STEP_INCRS } from '../state/series.ts';

export const LIVE_HEIGHT = 190;

export interface LivePlot {
  syncKey: string;
  /** The y axis label. */
  unit: string;
  series: uPlot.Series[];
  /** Extra y scale settings (e.g. a fixed range for shares). */
  y?: uPlot.Scale;
  data: () => uPlot.AlignedData;
}

export function livePlot(node: HTMLElement, p: LivePlot) {
  const width = () => Math.max(240, node.clientWidth);
  const u = new uPlot(
    {
      width: width(),
      height: LIVE_HEIGHT,
      cursor: { sync: { key: p.syncKey }, drag: { x: false, y: false } },
      legend: { live: true },
      scales: { x: { time: false }, ...(p.y ? { y: p.y } : {}) },
      axes: [{ label: 'step', incrs: STEP_INCRS }, { label: p.unit, size: 56 }],
      series: [{ label: 'step' }, ...p.series],
    },
    p.data(),
    node,
  );
  const ro = new ResizeObserver(() => u.setSize({ width: width(), height: LIVE_HEIGHT }));
  ro.observe(node);
  $effect(() => {
    u.setData(p.data());
  });
  return { destroy: () => (ro.disconnect(), u.destroy()) };
}
