import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

/**
 * Issue #14: a first recursive scan of a big folder shows its progress, and
 * the tag browser stays usable meanwhile.
 *
 * The folder is big enough that a cold scan takes seconds on the test
 * machine: FOLDERS subfolders of NOTEBOOKS_PER_FOLDER notebooks, each with
 * many tagged cells, written through the contents API under a fresh name
 * (so no cache of an earlier run can answer it at once).
 */
const FOLDERS = 8;
const NOTEBOOKS_PER_FOLDER = 100;
const TOTAL = FOLDERS * NOTEBOOKS_PER_FOLDER;
const SIDEBAR = '#nbcompare-tag-browser';

/** A notebook with `cells` tagged cells, each printing a number. */
function notebook(seed: number, cells = 60): string {
  return JSON.stringify({
    cells: Array.from({ length: cells }, (_, i) => ({
      cell_type: 'code',
      execution_count: i + 1,
      id: `c${i}`,
      metadata: { tags: [`metric_${i}`] },
      outputs: [
        {
          output_type: 'execute_result',
          execution_count: i + 1,
          data: { 'text/plain': String(seed * 0.001 + i) },
          metadata: {}
        }
      ],
      source: `metric_${i} = ${seed}`
    })),
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5
  });
}

/**
 * Write the big folder through the contents API (`PUT /api/contents`), the
 * folders first, then the notebooks a few requests at a time.
 */
async function writeBigFolder(
  page: IJupyterLabPageFixture,
  root: string
): Promise<void> {
  const put = async (path: string, model: object) => {
    const response = await page.request.put(`/api/contents/${path}`, {
      data: model
    });
    expect(response.ok()).toBe(true);
  };
  await put(root, { type: 'directory' });
  const paths: string[] = [];
  for (let f = 0; f < FOLDERS; f++) {
    await put(`${root}/part${f}`, { type: 'directory' });
    for (let n = 0; n < NOTEBOOKS_PER_FOLDER; n++) {
      paths.push(`${root}/part${f}/run${String(n).padStart(4, '0')}.ipynb`);
    }
  }
  for (let i = 0; i < paths.length; i += 20) {
    await Promise.all(
      paths.slice(i, i + 20).map((p, j) =>
        put(p, {
          type: 'file',
          format: 'text',
          content: notebook(i + j)
        })
      )
    );
  }
}

test.describe('Tag browser progress', () => {
  test.setTimeout(300000);

  test('shows the progress of a first scan and stays usable', async ({
    page
  }) => {
    // Given a big folder nobody has indexed yet, shown in the file browser
    const root = `progress-${Date.now()}`;
    await writeBigFolder(page, root);
    expect(await page.filebrowser.openDirectory(root)).toBe(true);
    await page.sidebar.openTab('nbcompare-tag-browser');
    const sidebar = page.locator(SIDEBAR);
    await expect(
      sidebar.locator('.jp-NbCompare-tagBrowser-folderCount')
    ).toHaveText('0 notebooks');

    // When the user includes the subfolders (a cold recursive scan)
    await sidebar.getByRole('checkbox', { name: 'Include subfolders' }).check();

    // Then a progress bar tells how far the scan has come
    const bar = sidebar.getByRole('progressbar');
    await expect(bar).toBeVisible();
    await expect(
      sidebar.locator('.jp-NbCompare-tagBrowser-progress')
    ).toHaveText(
      /^(Looking for notebooks… [\d,]+ found in \d+ folders?|Reading notebooks… [\d,]+ of [\d,]+)$/
    );
    // and the search box can be used meanwhile
    const search = sidebar.locator('.jp-NbCompare-tagBrowser-search');
    await search.fill('metric_1');
    await expect(search).toHaveValue('metric_1');

    // And once the index arrives the bar goes, and the names are listed
    await expect(
      sidebar.locator('.jp-NbCompare-tagBrowser-folderCount')
    ).toHaveText(`${TOTAL} notebooks`, { timeout: 120000 });
    await expect(bar).toBeHidden();
    await expect(sidebar.locator('li[data-key="tag:metric_1"]')).toBeVisible();
  });
});
