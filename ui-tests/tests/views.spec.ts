import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';
import * as path from 'path';

/**
 * `.nbcompare` view files as JupyterLab documents, on real papermill runs of
 * examples/template.ipynb (`make test` generates them).
 */
const RUNS = path.resolve(__dirname, '..', '..', 'examples', 'runs');
const SHOTS = path.resolve(__dirname, '..', 'screenshots');
const SWEEP = [
  'ridge_alpha1.ipynb',
  'ridge_alpha10.ipynb',
  'ridge_alpha100.ipynb'
];

/** The runs under `tmpPath/runs/`. */
async function uploadRuns(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  names: string[] = SWEEP
): Promise<void> {
  for (const name of names) {
    await page.contents.uploadFile(
      path.join(RUNS, name),
      `${tmpPath}/runs/${name}`
    );
  }
}

/** A file's text as the server stores it (its bytes, decoded). */
async function stored(
  page: IJupyterLabPageFixture,
  file: string
): Promise<string> {
  const response = await page.request.get(
    `/api/contents/${file}?content=1&type=file&format=text`
  );
  expect(response.ok()).toBe(true);
  return (await response.json()).content as string;
}

/** Double-click a file of the folder open in the file browser. */
async function doubleClick(
  page: IJupyterLabPageFixture,
  name: string
): Promise<void> {
  await page
    .locator('.jp-DirListing-item', { hasText: name })
    .dblclick({ position: { x: 40, y: 8 } });
}

/** The open view document of `file`, once its panel has compared. */
async function viewDocument(
  page: IJupyterLabPageFixture,
  state = 'ready'
): Promise<Locator> {
  const view = page.locator('.jp-NbCompare-viewDocument');
  await expect(view).toHaveAttribute('data-state', state);
  if (state === 'ready') {
    await expect(view.locator('.jp-NbCompare-panel')).toHaveAttribute(
      'data-loading',
      'false'
    );
  }
  return view;
}

test.describe('A .nbcompare view opened as a document', () => {
  test('round trip: change baseline, grouping and chart, Ctrl+S, reload, the same view', async ({
    page,
    tmpPath
  }) => {
    // Given runs and a view naming them by a pattern, with a field the panel
    // does not show (gates) and a note of the user's
    await uploadRuns(page, tmpPath);
    const original = {
      nbcompare: 1,
      notebooks: ['runs/ridge_alpha*.ipynb'],
      names: ['mse', 'metrics'],
      gates: { mse: '1%' },
      'x-notes': 'kept as written'
    };
    const file = `${tmpPath}/sweep.nbcompare`;
    await page.contents.uploadContent(
      JSON.stringify(original, null, 2),
      'text',
      file
    );
    const runs = SWEEP.map(name => `${tmpPath}/runs/${name}`);

    // When the user double-clicks it in the file browser
    await page.filebrowser.openDirectory(tmpPath);
    await doubleClick(page, 'sweep.nbcompare');

    // Then the comparison panel opens on the runs the pattern matches, first one as baseline
    let view = await viewDocument(page);
    let panel = view.locator('.jp-NbCompare-panel');
    await expect(panel.locator('.jp-NbCompare-colHeader')).toHaveCount(3);
    await expect(panel).toHaveAttribute('data-baseline', runs[0]);
    const tab = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', {
      hasText: 'sweep.nbcompare'
    });
    await expect(tab).not.toHaveClass(/jp-mod-dirty/);

    // When the user makes the second run the baseline
    await panel
      .locator(`.jp-NbCompare-colHeader[data-path="${runs[1]}"]`)
      .getByRole('button', { name: 'Set as baseline' })
      .click();
    await expect(panel).toHaveAttribute('data-baseline', runs[1]);
    // Then the document is dirty, and nothing is written yet
    await expect(tab).toHaveClass(/jp-mod-dirty/);
    expect(JSON.parse(await stored(page, file))).toEqual(original);

    // When the user also groups the runs by their alpha
    await panel.getByRole('button', { name: /^Group by/ }).click();
    await panel
      .getByRole('group', { name: 'Group by parameters' })
      .getByRole('checkbox', { name: /^alpha\b/ })
      .check();
    await page.keyboard.press('Escape');
    await expect(panel.locator('.jp-NbCompare-groupHeader')).toHaveCount(3);
    // And opens the chart pane with alpha on the x axis
    await panel.locator('.jp-NbCompare-chartsToggle').click();
    const pane = panel.locator('.jp-NbCompare-charts');
    await pane.locator('.jp-NbCompare-chart-x').selectOption('param:alpha');
    await expect(
      pane.locator('[data-chart="scatter"] .jp-RenderedVegaLite svg')
    ).toBeVisible();
    await page.screenshot({ path: path.join(SHOTS, 'view-document.png') });

    // When the user saves with Ctrl+S (the focus is still in the panel)
    await page.keyboard.press('Control+s');
    await expect(tab).not.toHaveClass(/jp-mod-dirty/);

    // Then the file holds the new baseline (relative to the view), the
    // grouping and the chart, and the rest of the view as it was, in its order
    const saved = JSON.parse(await stored(page, file));
    expect(saved).toMatchObject({
      ...original,
      baseline: 'runs/ridge_alpha10.ipynb',
      group_by: ['alpha'],
      chart: { x: 'param:alpha' }
    });
    expect(typeof saved.chart.y).toBe('string');
    expect(Object.keys(saved).slice(0, 5)).toEqual(Object.keys(original));

    // When the page is reloaded
    await page.reload({ waitForIsReady: false });

    // Then the view is open again with the same baseline, grouping and
    // chart, and clean
    view = await viewDocument(page);
    panel = view.locator('.jp-NbCompare-panel');
    await expect(panel).toHaveAttribute('data-baseline', runs[1]);
    await expect(panel.locator('.jp-NbCompare-groupHeader')).toHaveCount(3);
    await expect(
      panel.locator('.jp-NbCompare-charts .jp-NbCompare-chart-x')
    ).toHaveValue('param:alpha');
    await expect(
      page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', {
        hasText: 'sweep.nbcompare'
      })
    ).not.toHaveClass(/jp-mod-dirty/);
  });

  test('a malformed view names the field at fault and its bytes stay as they are', async ({
    page,
    tmpPath
  }) => {
    // Given a view whose second notebook is a number, formatted by hand
    await uploadRuns(page, tmpPath, SWEEP.slice(0, 1));
    const bytes =
      '{"nbcompare": 1,\n   "notebooks": ["runs/ridge_alpha1.ipynb", 3]}\n';
    const file = `${tmpPath}/broken.nbcompare`;
    await page.contents.uploadContent(bytes, 'text', file);

    // When the user opens it
    await page.filebrowser.openDirectory(tmpPath);
    await doubleClick(page, 'broken.nbcompare');

    // Then the document says which field is wrong, and shows no comparison
    const view = await viewDocument(page, 'error');
    const alert = view.getByRole('alert');
    await expect(alert).toHaveAttribute('data-field', 'notebooks[1]');
    await expect(alert).toContainText('notebooks[1]: expected a string');
    await expect(view.locator('.jp-NbCompare-panel')).toHaveCount(0);
    await page.screenshot({ path: path.join(SHOTS, 'view-error.png') });

    // And the file is neither dirty nor written: its bytes are unchanged
    await expect(
      page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', {
        hasText: 'broken.nbcompare'
      })
    ).not.toHaveClass(/jp-mod-dirty/);
    expect(await stored(page, file)).toBe(bytes);
  });

  test('"Save View As…" turns a comparison into a view file, opened as a document', async ({
    page,
    tmpPath
  }) => {
    // Given an ad-hoc comparison of two runs, the second as baseline
    await uploadRuns(page, tmpPath, SWEEP.slice(0, 2));
    const runs = SWEEP.slice(0, 2).map(name => `${tmpPath}/runs/${name}`);
    await page.evaluate(
      args =>
        (window as any).jupyterapp.commands.execute('nbcompare:compare', args),
      { paths: runs, baseline: runs[1] }
    );
    const panel = page.locator('[id^="nbcompare-panel"]');
    await expect(panel).toHaveAttribute('data-loading', 'false');

    // When the user saves the view, accepting the suggested place
    await panel.getByRole('button', { name: 'Save View As…' }).click();
    const dialog = page.locator('.jp-Dialog');
    const input = dialog.getByRole('textbox', { name: 'Path of the new file' });
    await expect(input).toHaveValue(`${tmpPath}/runs/comparison.nbcompare`);
    await input.fill(`${tmpPath}/views/sweep.nbcompare`);
    await dialog.getByRole('button', { name: 'Save' }).click();

    // Then the file names the runs from its own folder, and opens as a view
    const view = await viewDocument(page);
    await expect(view.locator('.jp-NbCompare-panel')).toHaveAttribute(
      'data-baseline',
      runs[1]
    );
    expect(
      JSON.parse(await stored(page, `${tmpPath}/views/sweep.nbcompare`))
    ).toEqual({
      nbcompare: 1,
      notebooks: SWEEP.slice(0, 2).map(name => `../runs/${name}`),
      baseline: `../runs/${SWEEP[1]}`
    });
  });
});

test.describe('New Comparison View', () => {
  test('the file browser makes a view of the ticked notebooks, in ticking order', async ({
    page,
    tmpPath
  }) => {
    // Given two runs ticked in the file browser, the second one first
    await uploadRuns(page, tmpPath, SWEEP.slice(0, 2));
    await page.filebrowser.openDirectory(`${tmpPath}/runs`);
    const item = (name: string) =>
      page.locator('.jp-DirListing-item', { hasText: name });
    await item(SWEEP[1]).click();
    await item(SWEEP[0]).click({ modifiers: ['ControlOrMeta'] });

    // When the user right-clicks and chooses "New Comparison View"
    await item(SWEEP[0]).click({ button: 'right' });
    const entry = page.locator('.lm-Menu-item', {
      hasText: 'New Comparison View of 2 Notebooks'
    });
    await expect(entry).toBeVisible();
    await entry.click();

    // Then a view file is made beside them and opened as a comparison
    const view = await viewDocument(page);
    await expect(view.locator('.jp-NbCompare-colHeader')).toHaveCount(2);
    expect(
      JSON.parse(await stored(page, `${tmpPath}/runs/comparison.nbcompare`))
    ).toEqual({ nbcompare: 1, notebooks: [SWEEP[1], SWEEP[0]] });
  });
});

test.describe('Exports ask where to save', () => {
  test('the suggestion is beside the view; an existing file is replaced only when confirmed', async ({
    page,
    tmpPath
  }) => {
    // Given a view in views/ over runs in runs/, and an earlier report of the user's
    await uploadRuns(page, tmpPath, SWEEP.slice(0, 2));
    await page.contents.uploadContent(
      JSON.stringify({ nbcompare: 1, notebooks: ['../runs/*.ipynb'] }),
      'text',
      `${tmpPath}/views/sweep.nbcompare`
    );
    const mine = '# my notes\n';
    await page.contents.uploadContent(
      mine,
      'text',
      `${tmpPath}/views/comparison.md`
    );
    await page.filebrowser.openDirectory(`${tmpPath}/views`);
    await doubleClick(page, 'sweep.nbcompare');
    const view = await viewDocument(page);
    const dialog = page.locator('.jp-Dialog');
    const input = dialog.getByRole('textbox', { name: 'Path of the new file' });

    // When the user exports Markdown
    await view.getByRole('button', { name: 'Markdown', exact: true }).click();
    // Then the dialog suggests a free name beside the view file
    await expect(input).toHaveValue(`${tmpPath}/views/comparison-1.md`);
    // and naming the existing file asks before replacing it; "Keep it" keeps it
    await input.fill(`${tmpPath}/views/comparison.md`);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog).toContainText('Overwrite file?');
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await expect(dialog).toContainText('That file exists and was kept');
    expect(await stored(page, `${tmpPath}/views/comparison.md`)).toBe(mine);
    // and a new name saves there, leaving no temporary file behind
    await input.fill(`${tmpPath}/reports/sweep.md`);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(view.locator('.jp-NbCompare-panel')).toHaveAttribute(
      'data-last-export',
      `${tmpPath}/reports/sweep.md`
    );
    expect(await stored(page, `${tmpPath}/reports/sweep.md`)).toContain(
      '## Metrics'
    );
    expect(await stored(page, `${tmpPath}/views/comparison.md`)).toBe(mine);
    for (const folder of ['views', 'reports']) {
      const listing = await page.request.get(
        `/api/contents/${tmpPath}/${folder}`
      );
      const names = ((await listing.json()).content as { name: string }[]).map(
        item => item.name
      );
      expect(names.filter(name => name.startsWith('untitled'))).toEqual([]);
    }

    // When the user exports again and confirms the overwrite
    await view.getByRole('button', { name: 'Markdown', exact: true }).click();
    await input.fill(`${tmpPath}/views/comparison.md`);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('button', { name: 'Overwrite' }).click();
    // Then the file is replaced
    await expect(view.locator('.jp-NbCompare-panel')).toHaveAttribute(
      'data-last-export',
      `${tmpPath}/views/comparison.md`
    );
    expect(await stored(page, `${tmpPath}/views/comparison.md`)).toContain(
      '## Metrics'
    );
  });
});
