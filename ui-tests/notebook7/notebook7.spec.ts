/**
 * Jupyter Notebook 7: compare from /tree, the comparison page, the tag
 * browser on /tree. The server (jupyter_server_notebook7_config.py) serves a
 * copy of the example papermill runs in `runs/`.
 */
import { expect, Page, test } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

const RUNS = path.resolve(__dirname, '..', '..', 'examples', 'runs');
const SCREENSHOTS = path.resolve(__dirname, '..', 'screenshots');

/** The `mse` a run printed, read from the notebook itself. */
function mseOf(name: string): string {
  const nb = JSON.parse(fs.readFileSync(path.join(RUNS, name), 'utf-8'));
  for (const cell of nb.cells) {
    if ((cell.metadata?.tags ?? []).includes('mse')) {
      const text = [].concat(cell.outputs[0].text).join('');
      // Four significant digits, as the grid shows a metric.
      return Number(text).toPrecision(4);
    }
  }
  throw new Error(`no mse in ${name}`);
}

/** The row of a notebook in Notebook's file browser. */
function row(page: Page, name: string) {
  return page.locator('.jp-DirListing-item', {
    has: page.locator('.jp-DirListing-itemText', { hasText: name })
  });
}

/** Open /tree/runs and wait for its listing. */
async function openTree(page: Page): Promise<void> {
  await page.goto('tree/runs');
  await expect(row(page, 'ridge_alpha10.ipynb')).toBeVisible();
}

/** The comparison panel of a page, once its values are loaded. */
async function loadedPanel(page: Page) {
  const panel = page.locator('[id^="nbcompare-panel"]');
  await expect(panel).toHaveAttribute('data-loading', 'false');
  return panel;
}

test.describe('Jupyter Notebook 7', () => {
  test('Compare from /tree opens a comparison page that survives a reload', async ({
    page,
    context
  }) => {
    // Given the runs folder on /tree, with two runs ticked
    await openTree(page);
    await row(page, 'ridge_alpha0.1.ipynb')
      .locator('input[type="checkbox"]')
      .check();
    await row(page, 'ridge_alpha10.ipynb')
      .locator('input[type="checkbox"]')
      .check();

    // When the user right-clicks one and chooses the comparison
    await row(page, 'ridge_alpha10.ipynb').click({ button: 'right' });
    const entry = page.locator('.lm-Menu-item', {
      hasText: 'Compare 2 Notebooks'
    });
    await expect(entry).toBeVisible();
    const [tab] = await Promise.all([
      context.waitForEvent('page'),
      entry.click()
    ]);

    // Then a new tab shows the comparison, with both runs' values
    await tab.waitForLoadState();
    const url = new URL(tab.url());
    expect(url.pathname).toBe('/nbcompare/view');
    expect(url.searchParams.getAll('path')).toEqual([
      'runs/ridge_alpha0.1.ipynb',
      'runs/ridge_alpha10.ipynb'
    ]);
    let panel = await loadedPanel(tab);
    let mse = panel.locator('.jp-NbCompare-row[data-key="m:tag:mse"]');
    await expect(mse).toContainText(mseOf('ridge_alpha0.1.ipynb'));
    await expect(mse).toContainText(mseOf('ridge_alpha10.ipynb'));
    // ... and the tree page stays as it was
    await expect(row(page, 'ridge_alpha10.ipynb')).toBeVisible();
    await tab.screenshot({
      path: path.join(SCREENSHOTS, 'notebook7-compare-page.png')
    });

    // When the page is reloaded, the same comparison is shown again
    await tab.reload();
    panel = await loadedPanel(tab);
    mse = panel.locator('.jp-NbCompare-row[data-key="m:tag:mse"]');
    await expect(mse).toContainText(mseOf('ridge_alpha0.1.ipynb'));
    await expect(mse).toContainText(mseOf('ridge_alpha10.ipynb'));
    await expect(panel).toContainText('runs/ridge_alpha10.ipynb');
  });

  test('Pin as Baseline on /tree makes the pinned run the baseline of the comparison page', async ({
    page,
    context
  }) => {
    // Given /tree, where the user pins the second run as the baseline
    await openTree(page);
    await row(page, 'ridge_alpha100.ipynb').click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Pin as Baseline' }).click();
    await expect(row(page, 'ridge_alpha100.ipynb')).toHaveClass(
      /jp-NbCompare-pinnedItem/
    );

    // When two runs including it are compared
    await row(page, 'ridge_alpha1.ipynb')
      .locator('input[type="checkbox"]')
      .check();
    await row(page, 'ridge_alpha100.ipynb')
      .locator('input[type="checkbox"]')
      .check();
    await row(page, 'ridge_alpha1.ipynb').click({ button: 'right' });
    const [tab] = await Promise.all([
      context.waitForEvent('page'),
      page.locator('.lm-Menu-item', { hasText: 'Compare 2 Notebooks' }).click()
    ]);

    // Then the comparison page uses the pinned run as its baseline
    const panel = await loadedPanel(tab);
    const baseline = panel.locator('.jp-NbCompare-colHeader.jp-mod-baseline');
    await expect(baseline).toHaveCount(1);
    await expect(baseline).toContainText('ridge_alpha100');

    // Cleanup: unpin, so the other tests start without a pin
    await row(page, 'ridge_alpha100.ipynb').click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Unpin Baseline' }).click();
    await expect(row(page, 'ridge_alpha100.ipynb')).not.toHaveClass(
      /jp-NbCompare-pinnedItem/
    );
  });

  test('a comparison asked for with a chart opens its page with the chart drawn, across a reload', async ({
    page,
    context
  }) => {
    // Given /tree, where a script asks for a comparison with a chart
    await openTree(page);
    const paths = [
      'runs/ridge_alpha0.1.ipynb',
      'runs/ridge_alpha10.ipynb',
      'runs/ridge_alpha100.ipynb'
    ];
    const [tab] = await Promise.all([
      context.waitForEvent('page'),
      page.evaluate(
        paths =>
          (window as any).jupyterapp.commands.execute('nbcompare:compare', {
            paths,
            chart: { x: 'alpha', y: 'mse', logX: true }
          }),
        paths
      )
    ]);

    // Then its page carries the chart in its address
    await tab.waitForLoadState();
    const url = new URL(tab.url());
    expect(url.pathname).toBe('/nbcompare/view');
    expect(url.searchParams.get('chart_x')).toBe('alpha');
    expect(url.searchParams.get('chart_y')).toBe('mse');
    expect(url.searchParams.get('chart_log_x')).toBe('true');

    // and shows the chart pane with both charts drawn as SVG, one point a run
    const drawn = async () => {
      const panel = await loadedPanel(tab);
      const pane = panel.locator('.jp-NbCompare-charts');
      await expect(pane).toBeVisible();
      await expect(panel.locator('.jp-NbCompare-chartsToggle')).toHaveAttribute(
        'aria-pressed',
        'true'
      );
      await expect(pane.locator('.jp-NbCompare-chart-x')).toHaveValue(
        'param:alpha'
      );
      await expect(pane.locator('.jp-NbCompare-chartLogX')).toBeChecked();
      for (const chart of ['scatter', 'parallel']) {
        await expect(
          pane.locator(
            `.jp-NbCompare-chart[data-chart="${chart}"] .jp-RenderedVegaLite svg`
          )
        ).toBeVisible();
      }
      await expect(
        pane.locator(
          '.jp-NbCompare-chart[data-chart="scatter"] svg g.runs_marks > path'
        )
      ).toHaveCount(paths.length);
      return pane;
    };
    const pane = await drawn();

    // When the user picks another colour, the address follows
    await pane.locator('.jp-NbCompare-chart-color').selectOption('param:model');
    await expect
      .poll(() => new URL(tab.url()).searchParams.get('chart_color'))
      .toBe('param:model');

    // and a reload shows the same chart again
    await tab.reload();
    const again = await drawn();
    await expect(again.locator('.jp-NbCompare-chart-color')).toHaveValue(
      'param:model'
    );
  });

  test('a comparison address without notebooks says so', async ({ page }) => {
    await page.goto('nbcompare/view');
    await expect(page.locator('#nbcompare-empty-page')).toContainText(
      'names no notebook'
    );
  });

  test('the tag browser opens on /tree from the View menu and lists the folder', async ({
    page
  }) => {
    // Given /tree showing the runs folder
    await openTree(page);

    // When the user opens the tag browser from the View menu
    await page.locator('.lm-MenuBar-itemLabel', { hasText: 'View' }).click();
    await page
      .locator('.lm-Menu-item', { hasText: 'Show Tags & Scraps' })
      .click();

    // Then it shows the folder's notebooks
    const sidebar = page.locator('#nbcompare-tag-browser');
    await expect(sidebar).toBeVisible();
    await expect(
      sidebar.locator('.jp-NbCompare-tagBrowser-folderPath')
    ).toHaveText('/runs');
    const count = fs.readdirSync(RUNS).filter(n => n.endsWith('.ipynb')).length;
    await expect(
      sidebar.locator('.jp-NbCompare-tagBrowser-folderCount')
    ).toHaveText(`${count} notebooks`);
    await page.screenshot({
      path: path.join(SCREENSHOTS, 'notebook7-tag-browser.png')
    });
  });

  test('on a notebook page the tag browser shows the folder of the notebook', async ({
    page
  }) => {
    // Given a notebook of the runs folder open on its own page
    await page.goto('notebooks/runs/ridge_alpha1.ipynb');
    await expect(page.locator('.jp-Notebook')).toBeVisible();

    // When the user opens the tag browser from the View menu
    await page.locator('.lm-MenuBar-itemLabel', { hasText: 'View' }).click();
    await page
      .locator('.lm-Menu-item', { hasText: 'Show Tags & Scraps' })
      .click();

    // Then it lists the notebook's folder, not the root
    const sidebar = page.locator('#nbcompare-tag-browser');
    await expect(
      sidebar.locator('.jp-NbCompare-tagBrowser-folderPath')
    ).toHaveText('/runs');
    const count = fs.readdirSync(RUNS).filter(n => n.endsWith('.ipynb')).length;
    await expect(
      sidebar.locator('.jp-NbCompare-tagBrowser-folderCount')
    ).toHaveText(`${count} notebooks`);
  });
});
