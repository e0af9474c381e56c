// One live uPlot chart as a Svelte action: the options every live chart shares (size, the
// cursor synced across charts by `syncKey`, a live legend, steps on x), a resize observer,
// and a data function re-read whenever the state it reads changes — only `setData` runs
// per step, so the main thread stays free. Charts are built after the page has rendered,
// one per task.
import type uPlot from 'uplot';
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

// Charts are built one per task, after the page's first render: built in the mount task,
// each one read its width (a forced layout) and then wrote its canvas and legend, so the
// next one's read forced another layout — together the longest task of the page's load.
// uPlot itself loads then too, as a chunk of its own.
const pending: ((U: typeof uPlot) => void)[] = [];
let library: Promise<typeof uPlot> | undefined;

function buildLater(build: (U: typeof uPlot) => void): void {
  pending.push(build);
  if (pending.length === 1) setTimeout(buildNext, 0);
}

function buildNext(): void {
  library ??= import('uplot').then((m) => m.default);
  void library.then((U) => {
    pending.shift()?.(U);
    if (pending.length) setTimeout(buildNext, 0);
  });
}

export function livePlot(node: HTMLElement, p: LivePlot) {
  const width = () => Math.max(240, node.clientWidth);
  // Until built, the node keeps the chart's height, so nothing below it moves when it appears.
  node.style.minHeight = `${LIVE_HEIGHT}px`;
  let chart = $state.raw<uPlot | null>(null);
  let destroyed = false;
  const ro = new ResizeObserver(() => chart?.setSize({ width: width(), height: LIVE_HEIGHT }));
  buildLater((U) => {
    if (destroyed) return;
    chart = new U(
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
    node.style.minHeight = '';
    ro.observe(node);
  });
  $effect(() => {
    const data = p.data();
    // Reading `chart` (state) here re-runs this once the chart exists.
    chart?.setData(data);
  });
  return {
    destroy: () => {
      destroyed = true;
      ro.disconnect();
      chart?.destroy();
    },
  };
}
