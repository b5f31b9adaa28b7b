import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

/**
 * What a keyboard user and a reader of the comparison grid rely on: focus
 * that survives redraws, readable colours, and a baseline that has values.
 */

/** A minimal executed notebook whose `mse`-tagged cell shows `mse`. */
function notebook(mse: number): string {
  return JSON.stringify({
    cells: [
      {
        cell_type: 'code',
        execution_count: 1,
        id: 'mse-cell',
        metadata: { tags: ['mse'] },
        outputs: [
          {
            output_type: 'execute_result',
            execution_count: 1,
            data: { 'text/plain': [String(mse)] },
            metadata: {}
          }
        ],
        source: [`mse = ${mse}\n`, 'mse']
      }
    ],
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3' },
      language_info: { name: 'python' }
    },
    nbformat: 4,
    nbformat_minor: 5
  });
}

/** Upload `count` runs (mse growing, so every delta is worse) and compare them. */
async function compareRuns(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  count: number,
  extra: { name: string; content: string }[] = []
): Promise<{ panel: Locator; paths: string[] }> {
  const paths: string[] = [];
  for (const file of extra) {
    await page.contents.uploadContent(
      file.content,
      'text',
      `${tmpPath}/${file.name}`
    );
    paths.push(`${tmpPath}/${file.name}`);
  }
  for (let i = 0; i < count; i++) {
    const name = `run${String(i).padStart(2, '0')}.ipynb`;
    await page.contents.uploadContent(
      notebook(0.1 + i / 100),
      'text',
      `${tmpPath}/${name}`
    );
    paths.push(`${tmpPath}/${name}`);
  }
  await page.evaluate(
    args =>
      (window as any).jupyterapp.commands.execute('nbcompare:compare', args),
    { paths }
  );
  const panel = page.locator('[id^="nbcompare-panel"]');
  await expect(panel).toHaveAttribute('data-loading', 'false');
  await expect(
    panel.locator('.jp-NbCompare-row[data-key="m:tag:mse"]')
  ).toHaveCount(1);
  return { panel, paths };
}

/** Where focus is, once the grid has had two frames to redraw. */
async function focused(page: IJupyterLabPageFixture) {
  return page.evaluate(async () => {
    await new Promise(r =>
      requestAnimationFrame(() => requestAnimationFrame(r))
    );
    const active = document.activeElement as HTMLElement | null;
    const scroller = document.querySelector('.jp-NbCompare-scroller')!;
    const corner = scroller.querySelector('.jp-NbCompare-corner')!;
    const cell = active?.closest<HTMLElement>('[data-column]');
    return {
      inGrid: !!active && active !== scroller && scroller.contains(active),
      column: cell ? Number(cell.dataset.column) : -1,
      path: active?.closest<HTMLElement>('[data-path]')?.dataset.path ?? null,
      control: active?.dataset.nbcFocus ?? null,
      left: active?.getBoundingClientRect().left ?? 0,
      labelRight: corner.getBoundingClientRect().right
    };
  });
}

/** WCAG contrast of an element's text against the first opaque background behind it. */
async function contrastOf(locator: Locator): Promise<number> {
  return locator.evaluate(node => {
    const parse = (text: string): number[] => {
      const srgb = text.match(
        /color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.]+))?\)/
      );
      if (srgb) {
        return [
          Number(srgb[1]) * 255,
          Number(srgb[2]) * 255,
          Number(srgb[3]) * 255,
          srgb[4] === undefined ? 1 : Number(srgb[4])
        ];
      }
      const rgb = text.match(
        /rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)/
      );
      if (!rgb) {
        throw new Error(`unknown colour ${text}`);
      }
      return [
        Number(rgb[1]),
        Number(rgb[2]),
        Number(rgb[3]),
        rgb[4] === undefined ? 1 : Number(rgb[4])
      ];
    };
    const luminance = ([r, g, b]: number[]) => {
      const [R, G, B] = [r, g, b].map(v => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * R + 0.7152 * G + 0.0722 * B;
    };
    const fg = parse(getComputedStyle(node).color);
    let bg = [255, 255, 255, 1];
    for (let el: Element | null = node; el; el = el.parentElement) {
      const color = parse(getComputedStyle(el).backgroundColor);
      if (color[3] === 1) {
        bg = color;
        break;
      }
    }
    const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  });
}

test.describe('Comparison grid', () => {
  test.use({ autoGoto: true, viewport: { width: 1200, height: 800 } });

  test('Tab walks the columns of a wide grid without losing focus', async ({
    page,
    tmpPath
  }) => {
    // Given a comparison far wider than the window
    const { panel } = await compareRuns(page, tmpPath, 30);
    await panel.locator('.jp-NbCompare-colName').first().focus();

    // When the keyboard user tabs through the column headers
    let last = 0;
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      const now = await focused(page);
      // Then focus stays in the grid and only ever moves forward
      expect(now.inGrid).toBe(true);
      expect(now.column).toBeGreaterThanOrEqual(last);
      last = now.column;
    }
    expect(last).toBeGreaterThanOrEqual(8);

    // and tabbing back, the focused control is never under the sticky labels
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Shift+Tab');
      const now = await focused(page);
      expect(now.inGrid).toBe(true);
      expect(now.column).toBeLessThanOrEqual(last);
      expect(now.left).toBeGreaterThanOrEqual(now.labelRight);
      last = now.column;
    }
  });

  test('"Set as baseline" and "Pin as baseline" keep the keyboard focus', async ({
    page,
    tmpPath
  }) => {
    const { panel, paths } = await compareRuns(page, tmpPath, 3);
    const header = panel.locator(
      `.jp-NbCompare-colHeader[data-path="${paths[1]}"]`
    );
    // When the user presses Enter on "Set as baseline"
    await header.getByRole('button', { name: 'Set as baseline' }).focus();
    await page.keyboard.press('Enter');
    await expect(panel).toHaveAttribute('data-baseline', paths[1]);
    await expect(panel).toHaveAttribute('data-loading', 'false');
    // Then focus is still in that column's header, on its baseline mark
    let now = await focused(page);
    expect(now.path).toBe(paths[1]);
    expect(now.control).toBe('baseline');

    // When they tab on to "Pin as baseline" and press Space
    await page.keyboard.press('Tab');
    now = await focused(page);
    expect(now.control).toBe('pin');
    try {
      await page.keyboard.press('Space');
      await expect(
        header.getByRole('button', { name: 'Unpin baseline' })
      ).toHaveAttribute('aria-pressed', 'true');
      // Then focus stays on that toggle, and Space again unpins
      now = await focused(page);
      expect(now.path).toBe(paths[1]);
      expect(now.control).toBe('pin');
      await page.keyboard.press('Space');
      await expect(
        header.getByRole('button', { name: 'Pin as baseline' })
      ).toBeVisible();
      now = await focused(page);
      expect(now.control).toBe('pin');
    } finally {
      await page.evaluate(() =>
        (window as any).jupyterapp.commands.execute('nbcompare:unpin-baseline')
      );
    }
  });

  test('"worse" deltas and the ≠ marker are readable in light and dark themes', async ({
    page,
    tmpPath
  }) => {
    const { panel } = await compareRuns(page, tmpPath, 3);
    const worse = panel.locator('.jp-NbCompare-delta.jp-mod-worse').first();
    const differs = panel
      .locator('.jp-NbCompare-differs.jp-mod-differs')
      .first();
    await expect(worse).toBeVisible();
    await expect(differs).toBeVisible();
    // WCAG AA for small text
    expect(await contrastOf(worse)).toBeGreaterThanOrEqual(4.5);
    expect(await contrastOf(differs)).toBeGreaterThanOrEqual(4.5);

    await page.theme.setDarkTheme();
    expect(await contrastOf(worse)).toBeGreaterThanOrEqual(4.5);
    expect(await contrastOf(differs)).toBeGreaterThanOrEqual(4.5);
    await page.theme.setLightTheme();
  });

  test('an unreadable first notebook is not the baseline, nor offered as one', async ({
    page,
    tmpPath
  }) => {
    // Given a broken notebook compared first
    const { panel, paths } = await compareRuns(page, tmpPath, 2, [
      { name: 'broken.ipynb', content: '{ not json' }
    ]);
    // Then the first readable notebook is the baseline, and deltas show
    await expect(panel).toHaveAttribute('data-baseline', paths[1]);
    await expect(panel.locator('.jp-NbCompare-delta').first()).toBeVisible();
    // and the broken column offers neither "Set as baseline" nor a pin
    const broken = panel.locator(
      `.jp-NbCompare-colHeader[data-path="${paths[0]}"]`
    );
    await expect(broken).toContainText('unreadable');
    await expect(broken.getByRole('button')).toHaveCount(1);
  });
});
