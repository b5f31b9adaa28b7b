import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as path from 'path';

/** Real papermill runs of examples/template.ipynb (make examples writes them). */
const RUNS = path.resolve(__dirname, '..', '..', 'examples', 'runs');

/** Upload these example runs into the test's own folder. */
async function uploadRuns(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  names: string[]
): Promise<void> {
  for (const name of names) {
    await page.contents.uploadFile(path.join(RUNS, name), `${tmpPath}/${name}`);
  }
}

test.describe('Compare notebooks from the file browser', () => {
  test('two ticked notebooks open a comparison panel naming both', async ({
    page,
    tmpPath
  }) => {
    // Given two executed notebooks uploaded into a folder
    await uploadRuns(page, tmpPath, [
      'ridge_alpha0.1.ipynb',
      'ridge_alpha10.ipynb'
    ]);
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

  test('right-clicking another file of a mixed selection offers the comparison', async ({
    page,
    tmpPath
  }) => {
    // Given two notebooks and a text file in a folder
    await uploadRuns(page, tmpPath, [
      'ridge_alpha0.1.ipynb',
      'ridge_alpha10.ipynb'
    ]);
    await page.contents.uploadContent('notes', 'text', `${tmpPath}/notes.txt`);
    await page.filebrowser.openDirectory(tmpPath);
    const item = (name: string) =>
      page.locator('.jp-DirListing-item', { hasText: name });

    // When only the text file is right-clicked, nothing is offered
    await item('notes.txt').click({ button: 'right' });
    const entry = page.locator('.lm-Menu-item', { hasText: /^Compare/ });
    await expect(page.locator('.lm-Menu').first()).toBeVisible();
    await expect(entry).toBeHidden();
    await page.keyboard.press('Escape');

    // When all three are ticked and the text file is right-clicked
    await item('ridge_alpha0.1.ipynb').click();
    await item('ridge_alpha10.ipynb').click({ modifiers: ['ControlOrMeta'] });
    await item('notes.txt').click({ modifiers: ['ControlOrMeta'] });
    await item('notes.txt').click({ button: 'right' });

    // Then the menu offers to compare the two notebooks, and it works
    const compare = page.locator('.lm-Menu-item', {
      hasText: 'Compare 2 Notebooks'
    });
    await expect(compare).toBeVisible();
    await compare.click();
    const panel = page.locator('[id^="nbcompare-panel"]');
    await expect(panel.locator('.jp-NbCompare-colHeader')).toHaveCount(2);
  });

  test('a comparison with a name filter and a chosen baseline survives a reload', async ({
    page,
    tmpPath
  }) => {
    // Given a comparison restricted to one name, with the second run as baseline
    const names = ['ridge_alpha0.1.ipynb', 'ridge_alpha10.ipynb'];
    for (const name of names) {
      await page.contents.uploadFile(
        path.join(RUNS, name),
        `${tmpPath}/${name}`
      );
    }
    const paths = names.map(name => `${tmpPath}/${name}`);
    await page.evaluate(
      args =>
        (window as any).jupyterapp.commands.execute('nbcompare:compare', args),
      { paths, names: ['mse'] }
    );
    const panel = page.locator('[id^="nbcompare-panel"]');
    await expect(panel).toHaveAttribute('data-loading', 'false');
    const values = (locator: typeof panel) =>
      locator.locator(
        '.jp-NbCompare-row[data-key^="m:"], .jp-NbCompare-row[data-key^="v:"]'
      );
    await expect(values(panel)).toHaveCount(1);
    // (the workspace is saved with the chosen baseline before the reload)
    const saved = page.waitForRequest(
      request =>
        request.method() === 'PUT' &&
        request.url().includes('/api/workspaces') &&
        (request.postData() ?? '').includes(`"baseline":"${paths[1]}"`)
    );
    await panel
      .locator(`.jp-NbCompare-colHeader[data-path="${paths[1]}"]`)
      .getByRole('button', { name: 'Set as baseline' })
      .click();
    await expect(panel).toHaveAttribute('data-baseline', paths[1]);
    await expect(panel).toHaveAttribute('data-loading', 'false');
    await saved;

    // When the page is reloaded (the restored panel, not a launcher, is shown)
    await page.reload({ waitForIsReady: false });

    // Then the same comparison is back: the same rows, the same baseline
    const restored = page.locator('[id^="nbcompare-panel"]');
    await expect(restored).toHaveAttribute('data-loading', 'false');
    await expect(
      restored.locator(
        `.jp-NbCompare-colHeader[data-path="${paths[1]}"].jp-mod-baseline`
      )
    ).toBeVisible();
    await expect(values(restored)).toHaveCount(1);
    await expect(
      restored.locator('.jp-NbCompare-row[data-key="m:tag:mse"]')
    ).toBeVisible();
  });
});
