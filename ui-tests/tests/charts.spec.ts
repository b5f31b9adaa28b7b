import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The chart pane on the demo's real papermill runs (examples/runs): both
 * charts drawn by JupyterLab's own Vega-Lite renderer, one mark per run that
 * did not fail, and a click on a run's point leading to its column.
 */
const RUNS = path.resolve(__dirname, '..', '..', 'examples', 'runs');
const SHOTS = path.resolve(__dirname, '..', 'screenshots');

/** The demo's runs, in the order of examples/generate.py's grid. */
const FILES = [
  'ridge_alpha0.1.ipynb',
  'ridge_alpha1.ipynb',
  'ridge_alpha10.ipynb',
  'ridge_alpha100.ipynb',
  'ols_seed1.ipynb',
  'ridge_small_n.ipynb',
  'ridge_diverged.ipynb'
];

/** Whether a run failed, read from the file: some code cell has an error output. */
function failed(file: string): boolean {
  const nb = JSON.parse(fs.readFileSync(path.join(RUNS, file), 'utf-8'));
  return nb.cells.some(
    (cell: any) =>
      cell.cell_type === 'code' &&
      (cell.outputs ?? []).some((o: any) => o.output_type === 'error')
  );
}

/** Upload the runs and open a comparison through the command, with a chart. */
async function openWithChart(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  chart: Record<string, unknown> | null
): Promise<Locator> {
  for (const file of FILES) {
    await page.contents.uploadFile(path.join(RUNS, file), `${tmpPath}/${file}`);
  }
  const paths = FILES.map(file => `${tmpPath}/${file}`);
  await page.evaluate(
    async ({ paths, chart }) => {
      const args: any = { paths };
      if (chart) {
        args.chart = chart;
      }
      await (window as any).jupyterapp.commands.execute(
        'nbcompare:compare',
        args
      );
    },
    { paths, chart }
  );
  const panel = page.locator('[id^="nbcompare-panel"]');
  await expect(panel).toBeVisible();
  await expect(panel).toHaveAttribute('data-loading', 'false');
  return panel;
}

/** The SVG marks of one layer (Vega-Lite names its marks `<layer>_marks`). */
function marks(panel: Locator, chart: string, layer: string): Locator {
  return panel.locator(
    `.jp-NbCompare-chart[data-chart="${chart}"] svg g.${layer}_marks > path`
  );
}

test.describe('Chart pane', () => {
  test('draws both charts, one mark per run, and a click reaches the column', async ({
    page,
    tmpPath
  }) => {
    const ok = FILES.filter(file => !failed(file));
    expect(ok.length).toBe(FILES.length - 1); // the demo fails one run on purpose
    const panel = await openWithChart(page, tmpPath, {
      x: 'alpha',
      y: 'mse',
      color: 'model'
    });
    const pane = panel.locator('.jp-NbCompare-charts');
    await expect(pane).toBeVisible();
    await expect(panel.locator('.jp-NbCompare-chartsToggle')).toHaveAttribute(
      'aria-pressed',
      'true'
    );
    // The pickers show the chart asked for
    await expect(pane.locator('.jp-NbCompare-chart-x')).toHaveValue(
      'param:alpha'
    );
    await expect(pane.locator('.jp-NbCompare-chart-y')).toHaveValue(
      'metric:mse'
    );

    // Both charts are SVG drawn by JupyterLab's Vega renderer
    for (const chart of ['scatter', 'parallel']) {
      const host = pane.locator(`.jp-NbCompare-chart[data-chart="${chart}"]`);
      await expect(host.locator('.jp-RenderedVegaLite svg')).toBeVisible();
    }
    // One point per run that did not fail, each named by its notebook
    const points = marks(panel, 'scatter', 'runs');
    await expect(points).toHaveCount(ok.length);
    const labels = await points.evaluateAll(nodes =>
      nodes.map(n => n.getAttribute('aria-label'))
    );
    expect(labels.sort()).toEqual(ok.map(f => `${tmpPath}/${f}`).sort());
    // One line per such run in the parallel coordinates, drawn as a segment
    // between each pair of neighbouring axes (every run has every axis here)
    const parallel = pane.locator(
      '.jp-NbCompare-chart[data-chart="parallel"] svg'
    );
    const axes = await parallel.locator('g.role-axis-label text').count();
    expect(axes).toBeGreaterThan(2);
    const segments = parallel.locator('g.lines_marks > line');
    await expect(segments).toHaveCount(ok.length * (axes - 1));
    const runs = await segments.evaluateAll(nodes => [
      ...new Set(nodes.map(n => n.getAttribute('aria-label')))
    ]);
    expect(runs.sort()).toEqual(ok.map(f => `${tmpPath}/${f}`).sort());
    // The failed run is left out, and said so
    await expect(
      pane.locator('[data-chart="scatter"] svg text', {
        hasText: '1 failed run left out'
      })
    ).toBeVisible();
    // and the baseline (the first run) is marked
    await expect(marks(panel, 'scatter', 'baseline')).toHaveCount(1);

    // Hovering a point names its notebook
    const target = `${tmpPath}/ridge_small_n.ipynb`;
    const point = points.and(page.locator(`[aria-label="${target}"]`));
    await point.hover();
    await expect(page.locator('#vg-tooltip-element')).toContainText(
      'ridge_small_n.ipynb'
    );

    // Clicking it scrolls to its column and highlights it
    await point.click();
    const header = panel.locator(
      `.jp-NbCompare-headerRow .jp-NbCompare-cell[data-path="${target}"]`
    );
    await expect(header).toHaveClass(/jp-mod-highlighted/);
    await expect(header).toBeInViewport();
    await expect(header.locator('.jp-NbCompare-colName')).toBeFocused();
    await expect(
      panel
        .locator(
          `.jp-NbCompare-metricRow .jp-NbCompare-cell[data-path="${target}"]`
        )
        .first()
    ).toHaveClass(/jp-mod-highlighted/);

    // Clicking a line of the parallel coordinates reaches its column too:
    // at the middle of one of its segments that no other line covers there
    const other = `${tmpPath}/ridge_alpha10.ipynb`;
    await page.mouse.move(0, 0); // no tooltip over it
    await parallel.scrollIntoViewIfNeeded();
    const spot = await segments.evaluateAll((nodes, label) => {
      for (const line of nodes.filter(
        n => n.getAttribute('aria-label') === label
      )) {
        const box = line.getBoundingClientRect();
        const x = box.left + box.width / 2;
        const y = box.top + box.height / 2;
        if (document.elementFromPoint(x, y) === line) {
          return { x, y };
        }
      }
      return null;
    }, other);
    expect(spot).not.toBeNull();
    await page.mouse.click(spot!.x, spot!.y);
    await expect(
      panel.locator(
        `.jp-NbCompare-headerRow .jp-NbCompare-cell[data-path="${other}"]`
      )
    ).toHaveClass(/jp-mod-highlighted/);

    // A dark theme redraws the charts in its colours
    const before = Number(await pane.getAttribute('data-render-count'));
    await page.theme.setDarkTheme();
    await expect
      .poll(async () => Number(await pane.getAttribute('data-render-count')))
      .toBeGreaterThan(before);
    await expect(marks(panel, 'scatter', 'runs')).toHaveCount(ok.length);
    await page.mouse.move(0, 0);
    await page.setViewportSize({ width: 1500, height: 900 });
    await page.sidebar.close('left');
    await expect(pane.locator('[data-chart="parallel"] svg')).toBeInViewport();
    await page.screenshot({ path: path.join(SHOTS, 'charts-dark.png') });
    await page.theme.setLightTheme();
  });

  test('the toolbar shows the pane; the pickers change the chart', async ({
    page,
    tmpPath
  }) => {
    const panel = await openWithChart(page, tmpPath, null);
    const pane = panel.locator('.jp-NbCompare-charts');
    await expect(pane).toBeHidden();
    await panel.locator('.jp-NbCompare-chartsToggle').click();
    await expect(pane).toBeVisible();
    // A default chart: the first metric against a parameter that varies
    await expect(pane.locator('.jp-NbCompare-chart-y')).toHaveValue(
      'metric:mse'
    );
    const points = marks(panel, 'scatter', 'runs');
    await expect(points).toHaveCount(FILES.length - 1);
    // Plot against a categorical parameter: the x axis lists its values
    await pane.locator('.jp-NbCompare-chart-x').selectOption('param:model');
    await expect(
      pane.locator('[data-chart="scatter"] svg text', {
        hasText: 'mse against model'
      })
    ).toBeVisible();
    await expect(
      pane.locator('[data-chart="scatter"] svg .role-axis-label text', {
        hasText: 'ols'
      })
    ).toBeVisible();
    // Back on alpha: a parameter swept over decades starts on a log scale
    await pane.locator('.jp-NbCompare-chart-x').selectOption('param:alpha');
    const logX = pane.locator('.jp-NbCompare-chartLogX');
    await expect(logX).toBeChecked();
    const xLabels = pane.locator(
      '[data-chart="scatter"] svg .role-axis-label text'
    );
    await expect(xLabels.filter({ hasText: /^0\.1$/ })).toHaveCount(1);
    // and a linear one when unticked (0.1 is no longer a tick)
    await logX.uncheck();
    await expect(xLabels.filter({ hasText: /^50$/ })).toHaveCount(1);
    await expect(xLabels.filter({ hasText: /^0\.1$/ })).toHaveCount(0);
    await expect(points).toHaveCount(FILES.length - 1);
    // Hidden again from the toolbar
    await panel.locator('.jp-NbCompare-chartsToggle').click();
    await expect(pane).toBeHidden();
  });

  test('a pane shown with the toggle alone is shown again after a reload', async ({
    page,
    tmpPath
  }) => {
    // Given a comparison whose chart pane the user shows from the toolbar
    const panel = await openWithChart(page, tmpPath, null);
    const saved = page.waitForRequest(
      request =>
        request.method() === 'PUT' &&
        request.url().includes('/api/workspaces') &&
        (request.postData() ?? '').includes('"charts":true')
    );
    await panel.locator('.jp-NbCompare-chartsToggle').click();
    await expect(panel.locator('.jp-NbCompare-charts')).toBeVisible();
    // which the workspace saves
    await saved;

    // When the page is reloaded
    await page.reload({ waitForIsReady: false });

    // Then the restored panel shows the pane, with the default chart drawn
    const restored = page.locator('[id^="nbcompare-panel"]');
    await expect(restored).toHaveAttribute('data-loading', 'false');
    const pane = restored.locator('.jp-NbCompare-charts');
    await expect(pane).toBeVisible();
    await expect(
      restored.locator('.jp-NbCompare-chartsToggle')
    ).toHaveAttribute('aria-pressed', 'true');
    await expect(pane.locator('.jp-NbCompare-chart-y')).toHaveValue(
      'metric:mse'
    );
    await expect(marks(restored, 'scatter', 'runs')).toHaveCount(
      FILES.length - 1
    );
  });
});
