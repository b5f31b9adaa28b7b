import { expect, test } from '@jupyterlab/galata';
import * as path from 'path';

/** Real papermill runs of examples/template.ipynb (make examples writes them). */
const RUNS = path.resolve(__dirname, '..', '..', 'examples', 'runs');

test.describe('Compare notebooks from the file browser', () => {
  test('two ticked notebooks open a comparison panel naming both', async ({
    page,
    tmpPath
  }) => {
    // Given two executed notebooks uploaded into a folder
    for (const name of ['ridge_alpha0.1.ipynb', 'ridge_alpha10.ipynb']) {
      await page.contents.uploadFile(
        path.join(RUNS, name),
        `${tmpPath}/${name}`
      );
    }
    await page.filebrowser.openDirectory(tmpPath);

    // When the user ticks both and right-clicks one of them
    const first = page.locator('.jp-DirListing-item', {
      hasText: 'ridge_alpha0.1.ipynb'
    });
    const second = page.locator('.jp-DirListing-item', {
      hasText: 'ridge_alpha10.ipynb'
    });
    await first.click();
    await second.click({ modifiers: ['Shift'] });
    await second.click({ button: 'right' });

    // Then the context menu offers the comparison, and choosing it opens the panel
    const entry = page.locator('.lm-Menu-item', {
      hasText: 'Compare 2 Notebooks'
    });
    await expect(entry).toBeVisible();
    await entry.click();

    const panel = page.locator('[id^="nbcompare-panel"]');
    await expect(panel).toBeVisible();
    await expect(panel).toContainText(`${tmpPath}/ridge_alpha0.1.ipynb`);
    await expect(panel).toContainText(`${tmpPath}/ridge_alpha10.ipynb`);
    await page.screenshot({
      path: path.resolve(__dirname, '..', 'screenshots', 'compare-panel.png')
    });
  });

  test('one ticked notebook shows the entry disabled', async ({
    page,
    tmpPath
  }) => {
    await page.contents.uploadFile(
      path.join(RUNS, 'ridge_alpha1.ipynb'),
      `${tmpPath}/ridge_alpha1.ipynb`
    );
    await page.filebrowser.openDirectory(tmpPath);
    const item = page.locator('.jp-DirListing-item', {
      hasText: 'ridge_alpha1.ipynb'
    });
    await item.click({ button: 'right' });
    const entry = page.locator('.lm-Menu-item', {
      hasText: 'Compare Notebooks'
    });
    await expect(entry).toHaveClass(/lm-mod-disabled/);
  });
});
