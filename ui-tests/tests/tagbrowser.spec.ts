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

/** The rows of the notebooks listed under an expanded name. */
function notebookRows(page: IJupyterLabPageFixture, key: string) {
  return page.locator(`${SIDEBAR} li[data-parent="${key}"][data-path]`);
}

/** Tick a notebook under an expanded name. */
async function tickNotebook(
  page: IJupyterLabPageFixture,
  key: string,
  notebookPath: string
): Promise<void> {
  await notebookRows(page, key)
    .and(page.locator(`[data-path="${notebookPath}"]`))
    .locator('input[type="checkbox"]')
    .check();
}

/**
 * An executed notebook whose cells are tagged `tags` (one tag a cell), each
 * showing a number: a run with many names, made in the test.
 */
function taggedNotebook(tags: string[]): string {
  return JSON.stringify({
    cells: tags.map((tag, i) => ({
      cell_type: 'code',
      execution_count: i + 1,
      id: `cell-${i}`,
      metadata: { tags: [tag] },
      outputs: [
        {
          output_type: 'execute_result',
          execution_count: i + 1,
          data: { 'text/plain': [String(i / 10)] },
          metadata: {}
        }
      ],
      source: [String(i / 10)]
    })),
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3' },
      language_info: { name: 'python' }
    },
    nbformat: 4,
    nbformat_minor: 5
  });
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
    const groups = sidebar.locator('li[role="treeitem"][data-group]');
    await expect(groups).toHaveText([
      `Tags (${TAGS.length})`,
      `Scraps (${SCRAPS.length})`
    ]);
    await expect(
      sidebar.locator('li[data-key^="tag:"] .jp-NbCompare-tagBrowser-nameText')
    ).toHaveText(TAGS);
    await expect(
      sidebar.locator(
        'li[data-key^="scrap:"] .jp-NbCompare-tagBrowser-nameText'
      )
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
    await expect(notebookRows(page, 'tag:mse')).toHaveCount(7);
    await expect(mse).toHaveAttribute('aria-expanded', 'true');
    await page.locator(SIDEBAR).screenshot({
      path: path.join(SCREENSHOTS, 'tag-browser-light.png')
    });
    await page.theme.setDarkTheme();
    await expect(notebookRows(page, 'tag:mse')).toHaveCount(7);
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
    await expect(
      notebookRows(page, 'tag:mse').and(page.locator(`[data-path="${pinned}"]`))
    ).toHaveClass(/jp-mod-pinned/);

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

  test('stays usable with thousands of names: a windowed, keyboard-driven tree', async ({
    page,
    tmpPath
  }) => {
    // Given 20 runs, each with 100 names of its own and one shared (`loss`):
    // 2,001 names
    const RUNS_MADE = 20;
    const PER_RUN = 100;
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    for (let r = 0; r < RUNS_MADE; r++) {
      const tags = ['loss'];
      for (let i = 0; i < PER_RUN; i++) {
        tags.push(`m${pad(r, 2)}_${pad(i, 3)}`);
      }
      await page.contents.uploadContent(
        taggedNotebook(tags),
        'text',
        `${tmpPath}/run${pad(r, 2)}.ipynb`
      );
    }
    expect(await page.filebrowser.openDirectory(tmpPath)).toBe(true);
    const names = RUNS_MADE * PER_RUN + 1;
    const lastKey = `tag:m${pad(RUNS_MADE - 1, 2)}_${pad(PER_RUN - 1, 3)}`;

    // When the user opens the tag browser
    const started = Date.now();
    await openTagBrowser(page, tmpPath, RUNS_MADE);
    const sidebar = page.locator(SIDEBAR);
    await expect(sidebar.locator('li[data-group="tag"]')).toHaveText(
      `Tags (${names})`
    );
    await expect(nameRow(page, 'tag:loss')).toBeVisible();
    const shownIn = Date.now() - started;

    // Then the DOM holds a screenful of rows, not 2,001
    const rows = sidebar.locator('li[role="treeitem"]');
    const drawn = await rows.count();
    console.log(
      `${names} names: drawn in ${shownIn} ms (with the index request), ${drawn} rows in the DOM`
    );
    expect(drawn).toBeGreaterThan(5);
    expect(drawn).toBeLessThan(100);
    await expect(nameRow(page, 'tag:loss')).toHaveAttribute(
      'aria-setsize',
      String(names)
    );

    // When the list is scrolled to the end (as dragging the scrollbar does)
    const outer = sidebar.locator('.jp-WindowedPanel-outer');
    await outer.evaluate(node => {
      node.scrollTop = node.scrollHeight;
    });

    // Then the last name is drawn, in view, and the first ones are gone
    await expect(nameRow(page, lastKey)).toBeInViewport();
    await expect(nameRow(page, 'tag:loss')).toHaveCount(0);
    expect(await rows.count()).toBeLessThan(100);

    // When the user goes back with the keyboard: Home from the tree
    await outer.evaluate(node => {
      node.scrollTop = 0;
    });
    await nameRow(page, 'tag:loss')
      .locator('.jp-NbCompare-tagBrowser-count')
      .click();
    await expect(nameRow(page, 'tag:loss')).toBeFocused();
    await page.keyboard.press('End');
    // Then End reaches the last name, drawn and focused
    await expect(nameRow(page, lastKey)).toBeFocused();
    await expect(nameRow(page, lastKey)).toBeInViewport();
    await page.keyboard.press('Home');
    await expect(sidebar.locator('li[data-group="tag"]')).toBeFocused();

    // And the arrows open `loss` and tick its first notebook with Space
    await page.keyboard.press('ArrowDown');
    await expect(nameRow(page, 'tag:loss')).toBeFocused();
    await page.keyboard.press('ArrowRight');
    await expect(nameRow(page, 'tag:loss')).toHaveAttribute(
      'aria-expanded',
      'true'
    );
    await expect(notebookRows(page, 'tag:loss')).not.toHaveCount(0);
    await page.keyboard.press('ArrowRight');
    const first = notebookRows(page, 'tag:loss').first();
    await expect(first).toBeFocused();
    await expect(first).toHaveAttribute('data-path', `${tmpPath}/run00.ipynb`);
    await page.keyboard.press('Space');
    await expect(first).toHaveAttribute('aria-checked', 'true');
    await expect(
      sidebar.locator('.jp-NbCompare-tagBrowser-summary')
    ).toHaveText('all names · 1 notebook');

    // And PageDown pages through the names, drawing each page as it goes
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('PageDown');
    }
    const focused = sidebar.locator('li[role="treeitem"]:focus');
    await expect(focused).toBeInViewport();
    // past the 20 notebooks of `loss`, among the names of run00
    await expect(focused).toHaveAttribute('data-key', /^tag:m00_0\d\d$/);
    expect(await rows.count()).toBeLessThan(100);
    await page.locator(SIDEBAR).screenshot({
      path: path.join(SCREENSHOTS, 'tag-browser-many.png')
    });
  });
});
