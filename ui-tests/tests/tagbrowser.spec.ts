import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Request } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

/** Real papermill runs of examples/template.ipynb (make examples writes them). */
const RUNS = path.resolve(__dirname, '..', '..', 'examples', 'runs');
const SCREENSHOTS = path.resolve(__dirname, '..', 'screenshots');

const TAGS = [
  'coefficients',
  'metrics',
  'mse',
  'residuals_plot',
  'sanity_check',
  'summary',
  'top_features'
];
const SCRAPS = ['config', 'note', 'r2', 'test_mse'];

const SIDEBAR = '#nbcompare-tag-browser';

/** The float each run printed in its cell tagged `tag`, read from the files. */
function printedFloats(tag: string): number[] {
  return fs
    .readdirSync(RUNS)
    .filter(name => name.endsWith('.ipynb'))
    .map(name => {
      const nb = JSON.parse(fs.readFileSync(path.join(RUNS, name), 'utf-8'));
      const cell = nb.cells.find((c: any) =>
        (c.metadata?.tags ?? []).includes(tag)
      );
      return parseFloat([].concat(cell.outputs[0].text).join(''));
    });
}

/** A number as the sidebar shows one in this range: 4 significant digits. */
const shown = (value: number) => String(Number(value.toPrecision(4)));

/** Upload every example run into `folder` and show it in the file browser. */
async function uploadRuns(
  page: IJupyterLabPageFixture,
  folder: string
): Promise<string[]> {
  const names = fs
    .readdirSync(RUNS)
    .filter(name => name.endsWith('.ipynb'))
    .sort();
  for (const name of names) {
    await page.contents.uploadFile(path.join(RUNS, name), `${folder}/${name}`);
  }
  // galata answers false instead of throwing when it cannot get there; the
  // sidebar would then silently show another folder.
  expect(await page.filebrowser.openDirectory(folder)).toBe(true);
  return names;
}

/**
 * Open the tag browser from its sidebar tab and wait until it shows the
 * index of `folder` (its notebook count), as a user would before ticking.
 */
async function openTagBrowser(
  page: IJupyterLabPageFixture,
  folder: string,
  notebooks: number
): Promise<void> {
  await page.sidebar.openTab('nbcompare-tag-browser');
  const sidebar = page.locator(SIDEBAR);
  await expect(sidebar).toBeVisible();
  await expect(
    sidebar.locator('.jp-NbCompare-tagBrowser-folderPath')
  ).toHaveText(`/${folder}`);
  await expect(
    sidebar.locator('.jp-NbCompare-tagBrowser-folderCount')
  ).toHaveText(`${notebooks} notebooks`);
}

/** The row of one name in the sidebar. */
function nameRow(page: IJupyterLabPageFixture, key: string) {
  return page.locator(`${SIDEBAR} li[data-key="${key}"]`);
}

/** Tick a notebook under an expanded name. */
async function tickNotebook(
  page: IJupyterLabPageFixture,
  key: string,
  notebookPath: string
): Promise<void> {
  await nameRow(page, key)
    .locator(`li[data-path="${notebookPath}"] input[type="checkbox"]`)
    .check();
}

/** The JSON body of a `POST nbcompare/compare`. */
function compareBody(request: Request): {
  paths: string[];
  names?: string[];
  baseline?: string;
} {
  return request.postDataJSON();
}

const isCompare = (request: Request) =>
  request.method() === 'POST' && request.url().includes('/nbcompare/compare');

test.describe('Tag browser', () => {
  test('lists the names of a folder of runs', async ({ page, tmpPath }) => {
    // Given a folder of real papermill runs shown in the file browser
    const runs = await uploadRuns(page, tmpPath);

    // When the user opens the tag browser
    await openTagBrowser(page, tmpPath, runs.length);

    // Then it names the folder and lists every tag and scrap, by group
    const sidebar = page.locator(SIDEBAR);
    await expect(
      sidebar.locator('.jp-NbCompare-tagBrowser-folder')
    ).toContainText(tmpPath);
    const groups = sidebar.locator('.jp-NbCompare-tagBrowser-group');
    await expect(groups).toHaveCount(2);
    await expect(
      groups.nth(0).locator('.jp-NbCompare-tagBrowser-nameText')
    ).toHaveText(TAGS);
    await expect(
      groups.nth(1).locator('.jp-NbCompare-tagBrowser-nameText')
    ).toHaveText(SCRAPS);
    // every run carries mse; it is a number, so it has a range and a trend
    const mse = nameRow(page, 'tag:mse');
    await expect(mse.locator('.jp-NbCompare-tagBrowser-count')).toHaveText('7');
    const mses = printedFloats('mse');
    await expect(mse.locator('.jp-NbCompare-tagBrowser-range')).toHaveText(
      `${shown(Math.min(...mses))} – ${shown(Math.max(...mses))}`
    );
    await expect(
      mse.locator('svg.jp-NbCompare-sparkline polyline')
    ).toHaveCount(1);

    // And the search narrows the list
    await sidebar.locator('.jp-NbCompare-tagBrowser-search').fill('mse');
    await expect(
      sidebar.locator('.jp-NbCompare-tagBrowser-nameText')
    ).toHaveText(['mse', 'test_mse']);
    await sidebar.locator('.jp-NbCompare-tagBrowser-search').fill('');
    await expect(
      sidebar.locator('.jp-NbCompare-tagBrowser-nameText')
    ).toHaveCount(TAGS.length + SCRAPS.length);

    // Screenshots of the sidebar with a name expanded, light then dark
    await mse.locator('.jp-NbCompare-tagBrowser-toggle').click();
    await mse.locator('.jp-NbCompare-tagBrowser-nameLabel input').check();
    await expect(mse.locator('li[data-path]')).toHaveCount(7);
    await page.locator(SIDEBAR).screenshot({
      path: path.join(SCREENSHOTS, 'tag-browser-light.png')
    });
    await page.theme.setDarkTheme();
    await expect(mse.locator('li[data-path]')).toHaveCount(7);
    await page.locator(SIDEBAR).screenshot({
      path: path.join(SCREENSHOTS, 'tag-browser-dark.png')
    });
    await page.theme.setLightTheme();
  });

  test('tick two names and three notebooks, then compare only those', async ({
    page,
    tmpPath
  }) => {
    // Given the tag browser on a folder of runs
    const runs = await uploadRuns(page, tmpPath);
    await openTagBrowser(page, tmpPath, runs.length);

    // When the user ticks mse and r2, and three notebooks under mse
    await nameRow(page, 'tag:mse')
      .locator('.jp-NbCompare-tagBrowser-nameLabel input')
      .check();
    await nameRow(page, 'scrap:r2')
      .locator('.jp-NbCompare-tagBrowser-nameLabel input')
      .check();
    await nameRow(page, 'tag:mse')
      .locator('.jp-NbCompare-tagBrowser-toggle')
      .click();
    const chosen = [
      `${tmpPath}/ols_seed1.ipynb`,
      `${tmpPath}/ridge_alpha1.ipynb`,
      `${tmpPath}/ridge_diverged.ipynb`
    ];
    for (const notebook of chosen) {
      await tickNotebook(page, 'tag:mse', notebook);
    }
    await expect(
      page.locator(`${SIDEBAR} .jp-NbCompare-tagBrowser-summary`)
    ).toHaveText('2 names · 3 notebooks');

    // And chooses Compare
    const requested = page.waitForRequest(isCompare);
    await page.locator(`${SIDEBAR} .jp-NbCompare-tagBrowser-compare`).click();

    // Then the comparison asks for exactly those names and notebooks
    const body = compareBody(await requested);
    expect(body.paths).toEqual(chosen);
    expect([...(body.names ?? [])].sort()).toEqual(['mse', 'r2']);

    // And the panel that opens has the three columns and rows for those
    // names only (metric rows are "m:<origin>:<name>", others "v:...")
    const panel = page.locator('[id^="nbcompare-panel"]').last();
    await expect(panel.locator('.jp-NbCompare-colHeader')).toHaveCount(3);
    // (the answer is in once the panel stops loading; the rows are read
    // again until they match, never from one early snapshot)
    await expect(panel).toHaveAttribute('data-loading', 'false');
    const rows = panel.locator(
      '.jp-NbCompare-row[data-key^="m:"], .jp-NbCompare-row[data-key^="v:"]'
    );
    await expect
      .poll(async () => {
        const keys = await rows.evaluateAll(nodes =>
          nodes.map(node => (node as HTMLElement).dataset.key!)
        );
        const shown = new Set(
          keys.map(key => key.slice(2).replace(/\..*$/, ''))
        );
        return [...shown].sort();
      })
      .toEqual(['scrap:r2', 'tag:mse']);
    await expect(panel).not.toContainText('coefficients');
  });

  test('a notebook pinned from the file browser survives a reload and is the baseline', async ({
    page,
    tmpPath
  }) => {
    // Given a folder of runs
    const runs = await uploadRuns(page, tmpPath);
    const pinned = `${tmpPath}/ridge_alpha10.ipynb`;

    // When the user right-clicks a notebook and pins it as the baseline
    const item = page.locator('.jp-DirListing-item', {
      hasText: 'ridge_alpha10.ipynb'
    });
    await item.click({ button: 'right' });
    const saved = page.waitForRequest(
      request =>
        request.method() === 'PUT' &&
        request.url().includes('/api/workspaces') &&
        (request.postData() ?? '').includes('jupyterlab-nbcompare:pin')
    );
    await page.locator('.lm-Menu-item', { hasText: 'Pin as Baseline' }).click();
    await saved;

    // Then the file browser marks it
    await expect(item).toHaveClass(/jp-NbCompare-pinnedItem/);
    await page.screenshot({
      path: path.join(SCREENSHOTS, 'pinned-baseline-filebrowser.png')
    });

    // When the page is reloaded
    await page.reload();
    expect(await page.filebrowser.openDirectory(tmpPath)).toBe(true);

    // Then the pin is still there, in the file browser and the tag browser
    await expect(
      page.locator('.jp-DirListing-item', { hasText: 'ridge_alpha10.ipynb' })
    ).toHaveClass(/jp-NbCompare-pinnedItem/);
    await openTagBrowser(page, tmpPath, runs.length);
    const mse = nameRow(page, 'tag:mse');
    await mse.locator('.jp-NbCompare-tagBrowser-toggle').click();
    await expect(mse.locator(`li[data-path="${pinned}"]`)).toHaveClass(
      /jp-mod-pinned/
    );

    // When two notebooks, one of them the pinned one, are compared
    await tickNotebook(page, 'tag:mse', `${tmpPath}/ridge_alpha0.1.ipynb`);
    await tickNotebook(page, 'tag:mse', pinned);
    await page.locator(SIDEBAR).screenshot({
      path: path.join(SCREENSHOTS, 'tag-browser-pinned.png')
    });
    const requested = page.waitForRequest(isCompare);
    await page.locator(`${SIDEBAR} .jp-NbCompare-tagBrowser-compare`).click();

    // Then the pinned notebook is the baseline, though it is not the first
    const body = compareBody(await requested);
    expect(body.paths).toEqual([`${tmpPath}/ridge_alpha0.1.ipynb`, pinned]);
    expect(body.baseline).toBe(pinned);
    const response = await (await requested).response();
    expect((await response!.json()).baseline).toBe(pinned);

    // And the panel marks the pinned notebook's column as the baseline
    const panel = page.locator('[id^="nbcompare-panel"]').last();
    const baseline = panel.locator('.jp-NbCompare-colHeader.jp-mod-baseline');
    await expect(baseline).toHaveCount(1);
    await expect(baseline).toHaveAttribute('data-path', pinned);
  });
});
