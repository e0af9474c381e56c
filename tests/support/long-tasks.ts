// Records the page's main-thread long tasks (PerformanceObserver 'longtask', buffered, from the
// first paint) into window.__longTasks: used by the e2e suite's responsiveness checks and by
// `npm run bench:load`. Each reader reads and clears the list itself.
import type { BrowserContext } from 'playwright-core';

export async function recordLongTasks(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
}
