/**
 * Browser benchmark of the comparison panel: 200 notebooks x 30 values.
 *
 * Reports (never asserts) the time from running "Compare notebooks" to the
 * first complete paint: the server's answer rendered, every row in view
 * built and every thumbnail in view loaded, measured in the page with
 * performance.now() and two animation frames. Also reports the server's share,
 * how many cells the windowed grid built, and how long a horizontal jump to
 * the middle columns and a vertical jump to the bottom take to paint.
 */
import { expect, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

import { median } from './stats';

const REPS = Number(process.env.NBCOMPARE_BENCH_REPS ?? 5);
const RESULTS = path.resolve(__dirname, '..', 'results');

test.use({ autoGoto: true, viewport: { width: 1600, height: 1000 } });

test('first complete paint of 200 notebooks x 30 values', async ({ page }) => {
  const listing = await page.request.get('/api/contents?content=1');
  const paths: string[] = (await listing.json()).content
    .map((item: any) => item.path)
    .filter((p: string) => p.endsWith('.ipynb'))
    .sort();
  expect(paths.length).toBeGreaterThan(0);

  const samples: Record<string, number>[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const sample = await page.evaluate(async (paths: string[]) => {
      const app = (window as any).jupyterapp;
      const frames = () =>
        new Promise(resolve =>
          requestAnimationFrame(() => requestAnimationFrame(resolve))
        );
      const until = async (check: () => boolean) => {
        while (!check()) {
          await new Promise(resolve => setTimeout(resolve, 5));
        }
      };
      performance.clearResourceTimings();
      const t0 = performance.now();
      const id: string = await app.commands.execute('nbcompare:compare', {
        paths
      });
      const panel = document.getElementById(id)!;
      const grid = panel.querySelector('.jp-NbCompare-scroller') as HTMLElement;
      await until(
        () =>
          panel.dataset.loading === 'false' &&
          Number(grid.dataset.renderCount ?? 0) >= 2
      );
      await frames();
      const tGrid = performance.now();
      const visibleImages = () =>
        Array.from(grid.querySelectorAll('img')).filter(img => {
          const box = img.getBoundingClientRect();
          const view = grid.getBoundingClientRect();
          return (
            box.bottom > view.top &&
            box.top < view.bottom &&
            box.right > view.left &&
            box.left < view.right
          );
        }) as HTMLImageElement[];
      const inView = visibleImages();
      await until(() => inView.every(img => img.complete));
      await frames();
      const tPaint = performance.now();
      const request = performance
        .getEntriesByType('resource')
        .find(e => e.name.includes('nbcompare/compare')) as
        PerformanceResourceTiming | undefined;
      const cells = grid.querySelectorAll('.jp-NbCompare-cell').length;
      const rows = grid.querySelectorAll('.jp-NbCompare-row').length;
      // Jump to the middle columns, then to the bottom rows.
      let t = performance.now();
      grid.scrollLeft = grid.scrollWidth / 2;
      await frames();
      const tHorizontal = performance.now() - t;
      t = performance.now();
      grid.scrollTop = grid.scrollHeight;
      await frames();
      const tVertical = performance.now() - t;
      const values = grid.querySelectorAll(
        '.jp-NbCompare-row[data-key^="v:"], .jp-NbCompare-row[data-key^="m:"]'
      ).length;
      for (const widget of Array.from(app.shell.widgets('main')) as any[]) {
        if (widget.id === id) {
          widget.dispose();
        }
      }
      return {
        firstCompletePaintMs: tPaint - t0,
        gridRenderedMs: tGrid - t0,
        serverResponseMs: request
          ? request.responseEnd - request.startTime
          : NaN,
        imagesInView: inView.length,
        cellsBuilt: cells,
        rows,
        metricAndValueRows: values,
        horizontalJumpMs: tHorizontal,
        verticalJumpMs: tVertical
      };
    }, paths);
    samples.push(sample);
    console.log(`rep ${rep + 1}/${REPS}`, JSON.stringify(sample));
  }
  // The first repetition meets a cold server cache; the others are warm.
  const warm = samples.length > 1 ? samples.slice(1) : samples;
  const summary: Record<string, number> = {};
  for (const key of Object.keys(samples[0])) {
    summary[key] = median(warm.map(s => s[key]));
  }
  const report = {
    notebooks: paths.length,
    reps: REPS,
    cold: samples[0],
    warmMedian: summary,
    samples,
    userAgent: await page.evaluate(() => navigator.userAgent),
    date: new Date().toISOString()
  };
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(
    path.join(RESULTS, 'bench_ui.json'),
    JSON.stringify(report, null, 2)
  );
  console.log('cold', JSON.stringify(samples[0], null, 2));
  console.log('warm median', JSON.stringify(summary, null, 2));
});
