import {
  expect,
  IJupyterLabPageFixture,
  test as galata
} from '@jupyterlab/galata';
import type { APIRequestContext, Request } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

/**
 * JupyterLab served under `/user/alice/` (playwright.base-url.config.js), as
 * JupyterHub serves a user's server. Every request of the extension must
 * carry the prefix: one built from `/nbcompare/...` alone would reach the hub
 * (or nothing), never this server. Expected values are read from the files.
 */
const RUNS = path.resolve(__dirname, '..', '..', 'examples', 'runs');
const PREFIX = '/user/alice/';

const A = 'ridge_alpha0.1.ipynb';
const B = 'ridge_alpha10.ipynb';

/**
 * galata's own `tmpPath` creates the test's folder at `/api/contents` without
 * the prefix (its helper, made without a page, joins '/' and the API path), so
 * the folder never exists. This one goes through the prefixed API and removes
 * the folder afterwards, file by file as Jupyter only deletes empty folders.
 */
const test = galata.extend({
  tmpPath: async (
    { baseURL, request }: { baseURL?: string; request: APIRequestContext },
    use: (folder: string) => Promise<void>,
    testInfo: any
  ) => {
    const folder = path.basename(testInfo.outputDir).replace(/-retry\d+$/i, '');
    const api = (name: string) => `${baseURL}/api/contents/${name}`;
    const remove = async () => {
      const listing = await request.get(api(folder));
      if (listing.ok()) {
        for (const child of (await listing.json()).content) {
          await request.delete(api(child.path));
        }
        await request.delete(api(folder));
      }
    };
    await remove();
    const made = await request.put(api(folder), {
      data: { type: 'directory' }
    });
    expect(made.status()).toBe(201);
    await use(folder);
    await remove();
  }
});

/** The float a run printed in its last cell tagged `tag`. */
function printed(file: string, tag: string): number {
  const notebook = JSON.parse(fs.readFileSync(path.join(RUNS, file), 'utf-8'));
  const cells = notebook.cells.filter((cell: any) =>
    (cell.metadata?.tags ?? []).includes(tag)
  );
  const output = cells[cells.length - 1].outputs.find(
    (o: any) => o.output_type === 'stream'
  );
  return parseFloat([].concat(output.text).join(''));
}

/** Every request of the extension's REST API the page sends from now on. */
function recordExtensionRequests(page: IJupyterLabPageFixture): URL[] {
  const seen: URL[] = [];
  page.on('request', (request: Request) => {
    const url = new URL(request.url());
    if (url.pathname.includes('/nbcompare/')) {
      seen.push(url);
    }
  });
  return seen;
}

async function upload(
  page: IJupyterLabPageFixture,
  folder: string,
  names: string[]
): Promise<void> {
  for (const name of names) {
    await page.contents.uploadFile(path.join(RUNS, name), `${folder}/${name}`);
  }
  expect(await page.filebrowser.openDirectory(folder)).toBe(true);
}

test.describe('Under a URL prefix (/user/alice/)', () => {
  test.use({ viewport: { width: 1400, height: 1000 } });

  test('ticking two runs compares them: values, an image, all under the prefix', async ({
    page,
    tmpPath
  }) => {
    expect(new URL(page.url()).pathname.startsWith(`${PREFIX}lab`)).toBe(true);
    // Given two real runs in a folder shown in the file browser
    const requests = recordExtensionRequests(page);
    await upload(page, tmpPath, [A, B]);

    // When the user ticks both and compares them from the context menu
    const first = page.locator('.jp-DirListing-item', { hasText: A });
    const second = page.locator('.jp-DirListing-item', { hasText: B });
    await first.click();
    await second.click({ modifiers: ['ControlOrMeta'] });
    await second.click({ button: 'right' });
    await page
      .locator('.lm-Menu-item', { hasText: 'Compare 2 Notebooks' })
      .click();

    // Then the panel shows each run's own mse, as printed in its file
    const panel = page.locator('[id^="nbcompare-panel"]');
    await expect(panel).toHaveAttribute('data-loading', 'false');
    for (const name of [A, B]) {
      const cell = panel.locator(
        `.jp-NbCompare-row[data-key="m:tag:mse"] .jp-NbCompare-cell[data-path="${tmpPath}/${name}"] .jp-NbCompare-metric`
      );
      const mse = printed(name, 'mse');
      // the full value on hover (the cell shows 4 significant digits)
      await expect(cell.locator('.jp-NbCompare-value')).toBeVisible();
      expect(await cell.getAttribute('title')).toContain(String(mse));
    }
    // and an image output, fetched from the extension's output endpoint, loads
    const thumb = panel
      .locator(
        `.jp-NbCompare-row[data-key="v:tag:residuals_plot"] .jp-NbCompare-cell[data-path="${tmpPath}/${B}"]`
      )
      .locator('img');
    await thumb.scrollIntoViewIfNeeded();
    await expect
      .poll(() => thumb.evaluate(img => (img as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0);

    // And every request the extension sent went under the prefix
    const paths = requests.map(url => url.pathname);
    expect(paths.some(p => p.endsWith('/nbcompare/compare'))).toBe(true);
    expect(paths.filter(p => !p.startsWith(`${PREFIX}nbcompare/`))).toEqual([]);
  });

  test('the tag browser indexes the folder shown, under the prefix', async ({
    page,
    tmpPath
  }) => {
    // Given two runs in the folder the file browser shows
    const requests = recordExtensionRequests(page);
    await upload(page, tmpPath, [A, B]);

    // When the tag browser is opened
    await page.sidebar.openTab('nbcompare-tag-browser');
    const sidebar = page.locator('#nbcompare-tag-browser');

    // Then it indexed that folder through the prefixed endpoint and lists its names
    await expect(
      sidebar.locator('.jp-NbCompare-tagBrowser-folderCount')
    ).toHaveText('2 notebooks');
    await expect(sidebar.locator('li[data-key="tag:mse"]')).toBeVisible();
    const paths = requests.map(url => url.pathname);
    expect(paths.some(p => p === `${PREFIX}nbcompare/index`)).toBe(true);
    expect(paths.filter(p => !p.startsWith(`${PREFIX}nbcompare/`))).toEqual([]);
  });
});
