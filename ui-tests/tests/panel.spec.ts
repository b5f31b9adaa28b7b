import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The comparison panel on real papermill runs of examples/template.ipynb
 * (`make test` generates them). Expected values are read from the notebook
 * files themselves, never copied from the panel.
 */
const RUNS = path.resolve(__dirname, '..', '..', 'examples', 'runs');
const FIXTURES = path.resolve(__dirname, '..', 'fixtures');
const SHOTS = path.resolve(__dirname, '..', 'screenshots');

/** The outputs of the last code cell tagged `tag` in a notebook file. */
function outputsOf(notebook: any, tag: string): any[] {
  const cells = notebook.cells.filter(
    (cell: any) =>
      cell.cell_type === 'code' && (cell.metadata?.tags ?? []).includes(tag)
  );
  return cells[cells.length - 1].outputs;
}

function read(file: string): any {
  return JSON.parse(fs.readFileSync(path.join(RUNS, file), 'utf-8'));
}

function stdout(outputs: any[]): string {
  return outputs
    .filter(o => o.output_type === 'stream' && o.name === 'stdout')
    .map(o => (Array.isArray(o.text) ? o.text.join('') : o.text))
    .join('');
}

/** A printed float, e.g. `0.2189...`. */
function scalar(file: string, tag: string): number {
  return parseFloat(stdout(outputsOf(read(file), tag)));
}

/** A printed dict of numpy floats: `{'mse': np.float64(0.2), ...}`. */
function mapping(file: string, tag: string): Record<string, number> {
  const text = stdout(outputsOf(read(file), tag));
  const result: Record<string, number> = {};
  for (const m of text.matchAll(/'(\w+)': np\.float64\(([^)]+)\)/g)) {
    result[m[1]] = parseFloat(m[2]);
  }
  return result;
}

/** A printed list of strings. */
function list(file: string, tag: string): string[] {
  const text = stdout(outputsOf(read(file), tag));
  return Array.from(text.matchAll(/'([^']*)'/g)).map(m => m[1]);
}

/** The rows of a DataFrame's text/plain output: label -> numbers. */
function table(file: string, tag: string): Record<string, number[]> {
  const output = outputsOf(read(file), tag).find(o => o.data?.['text/plain']);
  const text = [].concat(output.data['text/plain']).join('');
  const rows: Record<string, number[]> = {};
  for (const line of text.split('\n').slice(1)) {
    const [label, ...values] = line.trim().split(/\s+/);
    if (label) {
      rows[label] = values.map(Number);
    }
  }
  return rows;
}

/** What the panel shows for a number: 4 significant digits. */
function shown(value: number): string {
  return String(Number(value.toPrecision(4))).replace('-', '\u2212');
}

/** Upload notebooks, tick them in the file browser and compare from the context menu. */
async function openComparison(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  files: { name: string; source?: string; content?: string }[]
): Promise<Locator> {
  for (const file of files) {
    const target = `${tmpPath}/${file.name}`;
    if (file.content !== undefined) {
      await page.contents.uploadContent(file.content, 'text', target);
    } else {
      await page.contents.uploadFile(
        file.source ?? path.join(RUNS, file.name),
        target
      );
    }
  }
  await page.filebrowser.openDirectory(tmpPath);
  const items = files.map(file =>
    page.locator('.jp-DirListing-item', { hasText: file.name })
  );
  await items[0].click();
  for (const item of items.slice(1)) {
    await item.click({ modifiers: ['ControlOrMeta'] });
  }
  await items[items.length - 1].click({ button: 'right' });
  const entry = page.locator('.lm-Menu-item', {
    hasText: `Compare ${files.length} Notebooks`
  });
  await expect(entry).toBeVisible();
  await entry.click();
  const panel = page.locator('[id^="nbcompare-panel"]');
  await expect(panel).toBeVisible();
  await expect(panel.locator('.jp-NbCompare-colHeader')).toHaveCount(
    files.length
  );
  await expect(panel).toHaveAttribute('data-loading', 'false');
  await expect(panel.locator('.jp-NbCompare-section').first()).toBeVisible();
  return panel;
}

/** The cell of a row (by its data-key) in one notebook's column. */
function cellOf(panel: Locator, key: string, notebook: string): Locator {
  return panel.locator(
    `.jp-NbCompare-row[data-key="${key}"] .jp-NbCompare-cell[data-path="${notebook}"]`
  );
}

/** Run a JupyterLab command as a script or another extension would. */
async function command(
  page: IJupyterLabPageFixture,
  id: string,
  args: Record<string, unknown> = {}
): Promise<void> {
  await page.evaluate(
    ({ id, args }) => (window as any).jupyterapp.commands.execute(id, args),
    { id, args }
  );
}

const A = 'ridge_alpha0.1.ipynb';
const B = 'ridge_alpha10.ipynb';
const F = 'ridge_diverged.ipynb';

test.describe('Comparison panel', () => {
  test.use({ autoGoto: true, viewport: { width: 1400, height: 1000 } });

  test('every kind of value shows the notebooks’ real values', async ({
    page,
    tmpPath
  }) => {
    // Given three real runs, one of which failed
    const panel = await openComparison(page, tmpPath, [
      { name: A },
      { name: B },
      { name: F }
    ]);
    const p = (name: string) => `${tmpPath}/${name}`;

    // Then the headers name each notebook, with its status; the first is the baseline
    const headers = panel.locator('.jp-NbCompare-colHeader');
    await expect(headers.nth(0)).toContainText(p(A));
    await expect(headers.nth(0)).toContainText('Baseline');
    await expect(headers.nth(2)).toContainText('failed');
    await expect(
      headers.nth(1).getByRole('button', { name: 'Set as baseline' })
    ).toBeVisible();

    // Parameters come first: alpha differs and is marked injected
    const sections = panel.locator('.jp-NbCompare-section');
    await expect(sections.first()).toContainText('Parameters');
    const alpha = cellOf(panel, 'p:alpha', p(B));
    await expect(alpha).toContainText('10');
    await expect(alpha).toContainText('injected');
    await expect(
      panel.locator('.jp-NbCompare-row[data-key="p:alpha"]')
    ).toHaveClass(/jp-mod-differs/);

    // Metrics: the scalar mse with its full precision on hover
    for (const file of [A, B, F]) {
      const mse = scalar(file, 'mse');
      const cell = cellOf(panel, 'm:tag:mse', p(file)).locator(
        '.jp-NbCompare-metric'
      );
      await expect(cell.locator('.jp-NbCompare-value')).toHaveText(shown(mse));
      expect(await cell.getAttribute('title')).toContain(String(mse));
    }
    // and every key of the metrics mapping is a row
    const metricsB = mapping(B, 'metrics');
    expect(Object.keys(metricsB).sort()).toEqual(['mae', 'mse', 'r2']);
    for (const [key, value] of Object.entries(metricsB)) {
      await expect(
        cellOf(panel, `m:tag:metrics.${key}`, p(B)).locator(
          '.jp-NbCompare-value'
        )
      ).toHaveText(shown(value));
    }
    // B's mse is higher than A's: a worse delta, with a sign and not only a colour
    const deltaB = cellOf(panel, 'm:tag:mse', p(B)).locator(
      '.jp-NbCompare-delta'
    );
    const expectedDelta = scalar(B, 'mse') - scalar(A, 'mse');
    expect(expectedDelta).toBeGreaterThan(0);
    await expect(deltaB).toHaveClass(/jp-mod-worse/);
    await expect(deltaB).toContainText('+');
    await expect(
      cellOf(panel, 'm:tag:mse', p(B)).locator('.jp-NbCompare-verdict')
    ).toHaveText('\u2717');
    // the best (lowest) mse carries the star
    const best = [A, B, F].reduce((x, y) =>
      scalar(x, 'mse') <= scalar(y, 'mse') ? x : y
    );
    await expect(
      cellOf(panel, 'm:tag:mse', p(best)).locator('.jp-NbCompare-best')
    ).toBeVisible();

    // Sequence: the items of top_features
    await expect(
      cellOf(panel, 'v:tag:top_features', p(B)).locator('.jp-NbCompare-item')
    ).toHaveText(list(B, 'top_features'));

    // Table: coefficients aligned by labels; a cell that changed shows the baseline in its tooltip
    const coefA = table(A, 'coefficients');
    const coefB = table(B, 'coefficients');
    const tableB = cellOf(panel, 'v:tag:coefficients', p(B)).locator('table');
    const ageRow = tableB.locator('tbody tr', { hasText: 'age' });
    await expect(ageRow.locator('td').first()).toHaveText(String(coefB.age[0]));
    // (alpha 0.1 and 10 fit different coefficients, so the check cannot be vacuous)
    expect(coefB.age[0]).not.toBe(coefA.age[0]);
    const changed = ageRow.locator('td').first();
    await expect(changed).toHaveClass(/jp-mod-changed/);
    expect(await changed.getAttribute('title')).toContain(
      `baseline: ${coefA.age[0]}`
    );

    // Image: a lazily loaded thumbnail that really loads
    const thumb = cellOf(panel, 'v:tag:residuals_plot', p(B)).locator('img');
    await expect(thumb).toHaveAttribute('loading', 'lazy');
    await thumb.scrollIntoViewIfNeeded();
    await expect
      .poll(() => thumb.evaluate(img => (img as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0);

    // Text: a line diff against the baseline
    const summaryB = stdout(outputsOf(read(B), 'summary')).split('\n')[0];
    const summaryA = stdout(outputsOf(read(A), 'summary')).split('\n')[0];
    const text = cellOf(panel, 'v:tag:summary', p(B));
    await expect(text.locator('.jp-NbCompare-line.jp-mod-added')).toContainText(
      summaryB
    );
    await expect(
      text.locator('.jp-NbCompare-line.jp-mod-removed')
    ).toContainText(summaryA);

    // Error: the failed run's sanity check as a badge with the exception
    const error = outputsOf(read(F), 'sanity_check').find(
      o => o.output_type === 'error'
    );
    const badge = cellOf(panel, 'v:tag:sanity_check', p(F)).locator(
      '.jp-NbCompare-errorBadge'
    );
    await expect(badge).toContainText(error.ename);
    await expect(badge).toContainText(error.evalue);

    // Screenshots of the main views, in the light and the dark theme
    const scroller = panel.locator('.jp-NbCompare-scroller');
    const shoot = async (theme: string) => {
      await scroller.evaluate(node => (node.scrollTop = 0));
      await page.screenshot({ path: path.join(SHOTS, `panel-${theme}.png`) });
      await panel
        .locator('.jp-NbCompare-section[data-section="values"]')
        .evaluate(node => node.scrollIntoView());
      await page.screenshot({
        path: path.join(SHOTS, `panel-outputs-${theme}.png`)
      });
    };
    await shoot('light');
    await page.theme.setDarkTheme();
    await shoot('dark');
    await page.theme.setLightTheme();
  });

  test('switching the baseline changes the deltas', async ({
    page,
    tmpPath
  }) => {
    const panel = await openComparison(page, tmpPath, [
      { name: A },
      { name: B },
      { name: F }
    ]);
    const p = (name: string) => `${tmpPath}/${name}`;
    const mseA = scalar(A, 'mse');
    const mseB = scalar(B, 'mse');
    // Given A is the baseline: A's own cell has no delta
    await expect(
      cellOf(panel, 'm:tag:mse', p(A)).locator('.jp-NbCompare-delta')
    ).toHaveCount(0);

    // When the user sets B as the baseline from its header
    await panel
      .locator('.jp-NbCompare-colHeader', { hasText: B })
      .getByRole('button', { name: 'Set as baseline' })
      .click();
    await expect(panel).toHaveAttribute('data-baseline', p(B));
    await expect(
      panel.locator('.jp-NbCompare-colHeader', { hasText: B })
    ).toContainText('Baseline');

    // Then A's delta is now against B: mseA - mseB, with the sign of that difference
    const metric = cellOf(panel, 'm:tag:mse', p(A)).locator(
      '.jp-NbCompare-metric'
    );
    await expect(metric.locator('.jp-NbCompare-delta')).toBeVisible();
    const deltaShown = async () => {
      const title = (await metric.getAttribute('title')) ?? '';
      return Number(/delta against the baseline: (\S+)/.exec(title)?.[1]);
    };
    await expect.poll(deltaShown).toBeCloseTo(mseA - mseB, 12);
    await expect(metric.locator('.jp-NbCompare-delta')).toContainText(
      mseA < mseB ? '\u2212' : '+'
    );
    await expect(metric.locator('.jp-NbCompare-verdict')).toHaveText(
      mseA < mseB ? '\u2713' : '\u2717'
    );
    await page.screenshot({
      path: path.join(SHOTS, 'panel-baseline-switched.png')
    });
  });

  test('only differences hides an equal row and keeps a row missing in one notebook', async ({
    page,
    tmpPath
  }) => {
    // Given a run, an identical rerun, and a rerun whose summary cell has no output
    const original = read('ridge_alpha1.ipynb');
    const partial = read('ridge_alpha1.ipynb');
    for (const cell of partial.cells) {
      if ((cell.metadata?.tags ?? []).includes('summary')) {
        cell.outputs = [];
      }
    }
    const panel = await openComparison(page, tmpPath, [
      { name: 'ridge_alpha1.ipynb' },
      { name: 'rerun.ipynb', content: JSON.stringify(original) },
      { name: 'rerun_partial.ipynb', content: JSON.stringify(partial) }
    ]);
    const mseRow = panel.locator('.jp-NbCompare-row[data-key="m:tag:mse"]');
    const summaryRow = panel.locator(
      '.jp-NbCompare-row[data-key="v:tag:summary"]'
    );
    await expect(mseRow).toBeVisible();
    await expect(
      cellOf(panel, 'v:tag:summary', `${tmpPath}/rerun_partial.ipynb`).locator(
        '.jp-NbCompare-missing'
      )
    ).toHaveText('missing');

    // When "Only differences" is switched on
    const toggle = panel.getByRole('button', { name: 'Only differences' });
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');

    // Then mse (equal everywhere) is hidden, summary (missing once) is kept
    await expect(mseRow).toHaveCount(0);
    await expect(summaryRow).toBeVisible();

    // and the filter narrows further without losing the toggle
    await panel.getByRole('searchbox', { name: 'Filter names' }).fill('top');
    await expect(summaryRow).toHaveCount(0);
    await expect(panel.locator('.jp-NbCompare-empty')).toBeVisible();
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  });

  test('exports are suggested beside the baseline', async ({
    page,
    tmpPath
  }) => {
    const panel = await openComparison(page, tmpPath, [
      { name: A },
      { name: B },
      { name: F }
    ]);
    /** Accept the place the "save as" dialog suggests, checking it first. */
    const accept = async (suggested: string) => {
      const dialog = page.locator('.jp-Dialog');
      await expect(
        dialog.getByRole('textbox', { name: 'Path of the new file' })
      ).toHaveValue(suggested);
      await dialog.getByRole('button', { name: 'Save' }).click();
    };
    // When the user exports as HTML, CSV and Markdown
    for (const [label, file] of [
      ['HTML', 'comparison.html'],
      ['CSV (wide)', 'comparison.csv'],
      ['Markdown', 'comparison.md']
    ]) {
      await panel.getByRole('button', { name: label, exact: true }).click();
      // Then the dialog suggests the baseline's folder, and the file appears there
      await accept(`${tmpPath}/${file}`);
      await expect(panel).toHaveAttribute(
        'data-last-export',
        `${tmpPath}/${file}`
      );
      expect(await page.contents.fileExists(`${tmpPath}/${file}`)).toBe(true);
    }
    const get = async (file: string) => {
      const response = await page.request.get(
        `/api/contents/${tmpPath}/${file}?content=1&type=file&format=text`
      );
      return (await response.json()).content as string;
    };
    // The HTML report embeds the images and forbids scripts
    const html = await get('comparison.html');
    expect(html).toContain('data:image/png;base64,');
    expect(html).toContain("default-src 'none'");
    // The CSV has the metrics with full precision
    const csv = await get('comparison.csv');
    expect(csv.split('\r\n')[0]).toBe(
      `metric,direction,${tmpPath}/${A},${tmpPath}/${B},${tmpPath}/${F}`
    );
    expect(csv).toContain(
      `mse,lower,${scalar(A, 'mse')},${scalar(B, 'mse')},${scalar(F, 'mse')}`
    );
    const md = await get('comparison.md');
    expect(md).toContain('## Metrics');
    // and "Comparison notebook" writes a notebook that reproduces the comparison
    await panel.getByRole('button', { name: 'Comparison notebook' }).click();
    await accept(`${tmpPath}/comparison.ipynb`);
    await expect(panel).toHaveAttribute(
      'data-last-export',
      `${tmpPath}/comparison.ipynb`
    );
    expect(await get('comparison.ipynb')).toContain(B);
    // Exporting again suggests a free name, never replaces an earlier file
    // (here one the user edited, so an overwrite would show), and leaves no
    // temporary file behind
    const edited = '<p>my notes on this comparison</p>';
    await page.contents.uploadContent(
      edited,
      'text',
      `${tmpPath}/comparison.html`
    );
    await panel.getByRole('button', { name: 'HTML', exact: true }).click();
    await accept(`${tmpPath}/comparison-1.html`);
    await expect(panel).toHaveAttribute(
      'data-last-export',
      `${tmpPath}/comparison-1.html`
    );
    expect(await get('comparison.html')).toBe(edited);
    expect(await get('comparison-1.html')).toBe(html);
    const listing = await page.request.get(`/api/contents/${tmpPath}`);
    const names = ((await listing.json()).content as { name: string }[]).map(
      item => item.name
    );
    expect(names.filter(name => name.startsWith('untitled'))).toEqual([]);
  });

  test('image comparison modes render against the baseline', async ({
    page,
    tmpPath
  }) => {
    const panel = await openComparison(page, tmpPath, [
      { name: A },
      { name: B },
      { name: F }
    ]);
    // When the user clicks B's thumbnail
    const thumb = cellOf(
      panel,
      'v:tag:residuals_plot',
      `${tmpPath}/${B}`
    ).getByRole('button', {
      name: /Compare residuals_plot/
    });
    await thumb.scrollIntoViewIfNeeded();
    await thumb.click();
    const dialog = page.locator('.jp-NbCompare-imageDialog');
    await expect(dialog).toBeVisible();
    // Then side by side shows both images
    await expect(dialog.locator('.jp-NbCompare-side img')).toHaveCount(2);
    // Swipe: a slider over two stacked images
    await dialog.getByRole('button', { name: 'Swipe' }).click();
    await expect(
      dialog.getByRole('slider', { name: 'Swipe position' })
    ).toBeVisible();
    await expect(dialog.locator('.jp-NbCompare-overlay img')).toHaveCount(2);
    await dialog.getByRole('slider').fill('20');
    await expect(dialog.locator('.jp-NbCompare-overWrap')).toHaveAttribute(
      'style',
      /clip-path: inset\(0(px)? 80% 0(px)? 0(px)?\)/
    );
    // Onion skin: opacity follows the slider
    await dialog.getByRole('button', { name: 'Onion skin' }).click();
    await dialog.getByRole('slider').fill('30');
    await expect(dialog.locator('.jp-NbCompare-overWrap')).toHaveCSS(
      'opacity',
      '0.3'
    );
    // Pixel difference: a heatmap and the share of changed pixels (the plots differ)
    await dialog.getByRole('button', { name: 'Pixel difference' }).click();
    const status = dialog.locator('.jp-NbCompare-diffStatus');
    await expect(status).toContainText('% of pixels changed');
    await expect(dialog.locator('canvas.jp-NbCompare-heatmap')).toBeVisible();
    const ratio = Number(await status.getAttribute('data-ratio'));
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThanOrEqual(1);
    await dialog.screenshot({
      path: path.join(SHOTS, 'panel-image-difference.png')
    });
    await dialog.getByRole('button', { name: 'Swipe' }).click();
    await dialog.screenshot({
      path: path.join(SHOTS, 'panel-image-swipe.png')
    });
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
  });

  test('an html output with <script> and onerror leaves the page untouched', async ({
    page,
    tmpPath
  }) => {
    // Given a notebook whose tagged html output tries to run code
    const panel = await openComparison(page, tmpPath, [
      { name: A },
      { name: B },
      {
        name: 'hostile_output.ipynb',
        source: path.join(FIXTURES, 'hostile_output.ipynb')
      }
    ]);
    const cell = cellOf(
      panel,
      'v:tag:banner',
      `${tmpPath}/hostile_output.ipynb`
    );
    // Then it is rendered (sanitized) ...
    await expect(cell.locator('b')).toHaveText('Hostile banner');
    await expect(cell.locator('script')).toHaveCount(0);
    await expect(cell.locator('[onerror]')).toHaveCount(0);
    // ... and once the broken image had every chance to fire, nothing ran
    await page.waitForLoadState('networkidle');
    const globals = await page.evaluate(() => [
      (window as any).__nbcompareScriptRan,
      (window as any).__nbcompareOnerror,
      (window as any).__nbcompareHref
    ]);
    expect(globals).toEqual([undefined, undefined, undefined]);
    // The notebooks without the value show an explicit mark
    await expect(
      cellOf(panel, 'v:tag:banner', `${tmpPath}/${A}`)
    ).toContainText('missing');
    // and its tiny mse (1e-05) is not rounded away
    const tiny = cellOf(
      panel,
      'm:tag:mse',
      `${tmpPath}/hostile_output.ipynb`
    ).locator('.jp-NbCompare-value');
    await expect(tiny).toHaveText('1e-5');
  });

  test('every output of a cell with two figures is shown and compared by position', async ({
    page,
    tmpPath
  }) => {
    // Given two runs whose cell tagged plots shows a ROC curve (the same in
    // both) and then a confusion matrix (different)
    const RA = 'two_figures_a.ipynb';
    const RB = 'two_figures_b.ipynb';
    const panel = await openComparison(page, tmpPath, [
      { name: RA, source: path.join(FIXTURES, RA) },
      { name: RB, source: path.join(FIXTURES, RB) }
    ]);
    // Then B's cell shows both figures, not only the last
    const cell = cellOf(panel, 'v:tag:plots', `${tmpPath}/${RB}`);
    const parts = cell.locator('.jp-NbCompare-part');
    await expect(parts).toHaveCount(2);
    for (const i of [0, 1]) {
      const img = parts.nth(i).locator('img');
      await expect
        .poll(() =>
          img.evaluate(node => (node as HTMLImageElement).naturalWidth)
        )
        .toBeGreaterThan(0);
    }
    // and each against the baseline's figure at the same position
    await expect(parts.nth(0).locator('.jp-NbCompare-same')).toBeVisible();
    await expect(parts.nth(1).locator('.jp-NbCompare-same')).toHaveCount(0);

    // When the user clicks the second figure
    await parts
      .nth(1)
      .getByRole('button', { name: /Compare plots/ })
      .click();
    // Then the dialog has both outputs, each with its own image tools
    const dialog = page.locator('.jp-NbCompare-imageDialog');
    const sections = dialog.locator('.jp-NbCompare-partCompare');
    await expect(sections).toHaveCount(2);
    const ratio = async (i: number) => {
      const section = sections.nth(i);
      await section.getByRole('button', { name: 'Pixel difference' }).click();
      const status = section.locator('.jp-NbCompare-diffStatus');
      await expect(status).toHaveAttribute('data-ratio', /.+/);
      return Number(await status.getAttribute('data-ratio'));
    };
    expect(await ratio(0)).toBe(0);
    expect(await ratio(1)).toBeGreaterThan(0);
    await sections.nth(1).getByRole('button', { name: 'Swipe' }).click();
    await expect(
      sections.nth(1).getByRole('slider', { name: 'Swipe position' })
    ).toBeVisible();
    await dialog.screenshot({
      path: path.join(SHOTS, 'panel-image-parts.png')
    });
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
  });

  test('the first notebook ticked is the default baseline, not the first by name', async ({
    page,
    tmpPath
  }) => {
    for (const name of [A, B]) {
      await page.contents.uploadFile(
        path.join(RUNS, name),
        `${tmpPath}/${name}`
      );
    }
    await page.filebrowser.openDirectory(tmpPath);
    const item = (name: string) =>
      page.locator('.jp-DirListing-item', { hasText: name });
    // When the user ticks B (listed second), then A, and compares
    await item(B).click();
    await item(A).click({ modifiers: ['ControlOrMeta'] });
    await item(A).click({ button: 'right' });
    await page
      .locator('.lm-Menu-item', { hasText: 'Compare 2 Notebooks' })
      .click();
    // Then B, ticked first, is the first column and the baseline
    const panel = page.locator('[id^="nbcompare-panel"]');
    await expect(panel).toHaveAttribute('data-loading', 'false');
    await expect(panel).toHaveAttribute('data-baseline', `${tmpPath}/${B}`);
    await expect(
      panel.locator('.jp-NbCompare-colHeader').first()
    ).toHaveAttribute('data-path', `${tmpPath}/${B}`);
    await expect(
      cellOf(panel, 'm:tag:mse', `${tmpPath}/${A}`).locator(
        '.jp-NbCompare-delta'
      )
    ).toBeVisible();
  });

  test('the pinned baseline is used when compared, and followed when it changes', async ({
    page,
    tmpPath
  }) => {
    const p = (name: string) => `${tmpPath}/${name}`;
    for (const name of [A, B, F]) {
      await page.contents.uploadFile(path.join(RUNS, name), p(name));
    }
    // Given B is pinned as the baseline (the tag browser's pin)
    await command(page, 'nbcompare:pin-baseline', { path: p(B) });
    try {
      // When the three are compared, Then B (not the first column) is the baseline
      const panel = await openComparison(page, tmpPath, [
        { name: A },
        { name: B },
        { name: F }
      ]);
      await expect(panel).toHaveAttribute('data-baseline', p(B));
      await expect(
        panel.locator('.jp-NbCompare-colHeader.jp-mod-baseline')
      ).toHaveAttribute('data-path', p(B));
      // When the pin moves to F, Then the open panel follows
      await command(page, 'nbcompare:pin-baseline', { path: p(F) });
      await expect(panel).toHaveAttribute('data-baseline', p(F));
      await expect(
        cellOf(panel, 'm:tag:mse', p(F)).locator('.jp-NbCompare-delta')
      ).toHaveCount(0);
    } finally {
      await command(page, 'nbcompare:unpin-baseline');
    }
  });

  test('"Pin as baseline" in a column header pins it for every comparison', async ({
    page,
    tmpPath
  }) => {
    const p = (name: string) => `${tmpPath}/${name}`;
    const panel = await openComparison(page, tmpPath, [
      { name: A },
      { name: B },
      { name: F }
    ]);
    const header = panel.locator(
      `.jp-NbCompare-colHeader[data-path="${p(F)}"]`
    );
    try {
      // When the user pins F from its column header
      await header.getByRole('button', { name: 'Pin as baseline' }).click();
      // Then F is the baseline of this panel, and the shared pin is F
      await expect(panel).toHaveAttribute('data-baseline', p(F));
      await expect(
        header.getByRole('button', { name: 'Unpin baseline' })
      ).toHaveAttribute('aria-pressed', 'true');
      // And the file browser marks F as the pinned baseline
      await page.filebrowser.openDirectory(tmpPath);
      await expect(
        page.locator('.jp-DirListing-item.jp-NbCompare-pinnedItem', {
          hasText: F
        })
      ).toHaveCount(1);
      // When the user unpins it again, Then the header offers to pin it
      await header.getByRole('button', { name: 'Unpin baseline' }).click();
      await expect(
        header.getByRole('button', { name: 'Pin as baseline' })
      ).toHaveAttribute('aria-pressed', 'false');
    } finally {
      await command(page, 'nbcompare:unpin-baseline');
    }
  });

  test('clicking a value shows its run read-only at that cell, never touching it', async ({
    page,
    tmpPath
  }) => {
    const panel = await openComparison(page, tmpPath, [
      { name: A },
      { name: B },
      { name: F }
    ]);
    const fileB = `${tmpPath}/${B}`;
    const raw = async (file: string) => {
      const response = await page.request.get(
        `/api/contents/${file}?content=1&type=file&format=text`
      );
      const model = await response.json();
      return { content: model.content as string, time: model.last_modified };
    };
    const before = await raw(fileB);

    // When the user clicks B's mse
    await cellOf(panel, 'm:tag:mse', fileB)
      .locator('.jp-NbCompare-metric')
      .click();

    // Then B is shown read-only, at the cell tagged mse
    const tab = page.locator('.lm-TabBar-tab.lm-mod-current', {
      hasText: `${B} (read-only)`
    });
    await expect(tab).toBeVisible();
    const view = page.locator(`.jp-NbCompare-runView[data-path="${fileB}"]`);
    const source = read(B).cells.find((c: any) =>
      (c.metadata?.tags ?? []).includes('mse')
    ).source;
    const firstLine = [].concat(source).join('').split('\n')[0];
    const active = view.locator('.jp-NbCompare-runCell.jp-mod-active');
    await expect(active).toBeVisible();
    await expect(active.locator('.jp-NbCompare-runSource')).toContainText(
      firstLine
    );
    await expect(active).toBeFocused();
    await expect(active).toContainText(String(scalar(B, 'mse')));
    await page.screenshot({ path: path.join(SHOTS, 'run-read-only.png') });

    // And a save attempt changes nothing: no kernel, no dirty mark, same bytes
    await page.keyboard.press('ControlOrMeta+s');
    await page.keyboard.press('Escape');
    const sessions = await (await page.request.get('/api/sessions')).json();
    expect(
      sessions.filter(
        (s: any) => s.path === fileB || s.notebook?.path === fileB
      )
    ).toEqual([]);
    await expect(tab).not.toHaveClass(/jp-mod-dirty/);
    expect(await raw(fileB)).toEqual(before);

    // When the user asks for the notebook editor from the read-only view
    await view
      .getByRole('button', { name: 'Open in the Notebook Editor' })
      .click();
    const editorTab = page.locator('.lm-TabBar-tab.lm-mod-current', {
      hasText: new RegExp(`^${B.replace(/\./g, '\\.')}$`)
    });
    await expect(editorTab).toBeVisible();
    await expect(
      page.locator('.jp-NotebookPanel:visible .jp-Notebook-cell').first()
    ).toBeVisible();
    // Then no kernel starts for it, it is not dirty, and saving is refused
    await page.keyboard.press('ControlOrMeta+s');
    // (a read-only model refuses with a dialog; close it if it is shown)
    await page.keyboard.press('Escape');
    const withKernel = (
      await (await page.request.get('/api/sessions')).json()
    ).filter((s: any) => s.path === fileB && s.kernel);
    expect(withKernel).toEqual([]);
    await expect(editorTab).not.toHaveClass(/jp-mod-dirty/);
    expect(await raw(fileB)).toEqual(before);

    // And clicking A's summary text shows A at the summary cell
    await page
      .locator('.lm-TabBar-tab', { hasText: 'Compare 3 notebooks' })
      .click();
    await cellOf(panel, 'v:tag:summary', `${tmpPath}/${A}`)
      .locator('pre')
      .click();
    await expect(
      page.locator('.lm-TabBar-tab.lm-mod-current', {
        hasText: `${A} (read-only)`
      })
    ).toBeVisible();
    await expect(
      page.locator(
        `.jp-NbCompare-runView[data-path="${tmpPath}/${A}"] .jp-NbCompare-runCell.jp-mod-active`
      )
    ).toContainText(
      []
        .concat(
          read(A).cells.find((c: any) =>
            (c.metadata?.tags ?? []).includes('summary')
          ).source
        )
        .join('')
        .split('\n')[0]
    );
    // Neither run got a session (hence no kernel)
    const after = await (await page.request.get('/api/sessions')).json();
    expect(
      after.filter((s: any) => String(s.path).startsWith(tmpPath))
    ).toEqual([]);
  });

  test('the controls are reachable and usable by keyboard', async ({
    page,
    tmpPath
  }) => {
    const panel = await openComparison(page, tmpPath, [
      { name: A },
      { name: B },
      { name: F }
    ]);
    // Given the focus in the filter box
    const filter = panel.getByRole('searchbox', { name: 'Filter names' });
    await filter.focus();
    await page.keyboard.type('mse');
    // When the user tabs to "Only differences" and presses Space
    await page.keyboard.press('Tab');
    const toggle = panel.getByRole('button', { name: 'Only differences' });
    await expect(toggle).toBeFocused();
    await page.keyboard.press('Space');
    // Then it toggles
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    // When the user tabs on to B's "Set as baseline" and presses Enter
    const setB = panel
      .locator('.jp-NbCompare-colHeader', { hasText: B })
      .getByRole('button', { name: 'Set as baseline' });
    for (let i = 0; i < 30; i++) {
      if (await setB.evaluate(node => node === document.activeElement)) {
        break;
      }
      await page.keyboard.press('Tab');
    }
    await expect(setB).toBeFocused();
    await page.screenshot({
      path: path.join(SHOTS, 'panel-keyboard-focus.png')
    });
    await page.keyboard.press('Enter');
    // Then B becomes the baseline
    await expect(panel).toHaveAttribute('data-baseline', `${tmpPath}/${B}`);
  });

  test('the panel follows a notebook rewritten on disk, keeping the filter', async ({
    page,
    tmpPath
  }) => {
    const panel = await openComparison(page, tmpPath, [
      { name: A },
      { name: B },
      { name: F }
    ]);
    await panel.getByRole('searchbox', { name: 'Filter names' }).fill('mse');
    const cell = cellOf(panel, 'm:tag:mse', `${tmpPath}/${B}`).locator(
      '.jp-NbCompare-value'
    );
    await expect(cell).toHaveText(shown(scalar(B, 'mse')));
    // When B is rewritten with another mse (as papermill would)
    const notebook = read(B);
    for (const c of notebook.cells) {
      if ((c.metadata?.tags ?? []).includes('mse')) {
        c.outputs = [
          { output_type: 'stream', name: 'stdout', text: ['0.123456\n'] }
        ];
      }
    }
    await page.contents.uploadContent(
      JSON.stringify(notebook),
      'text',
      `${tmpPath}/${B}`
    );
    // Then the panel shows the new value, and the filter is still applied
    await expect(cell).toHaveText('0.1235');
    await expect(
      panel.getByRole('searchbox', { name: 'Filter names' })
    ).toHaveValue('mse');
    await expect(
      panel.locator('.jp-NbCompare-row[data-key="v:tag:summary"]')
    ).toHaveCount(0);
  });
});
