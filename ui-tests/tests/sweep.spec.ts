import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator, Response } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Groups, sorting and "runs as rows" on the demo's real sweep
 * (examples/runs/sweep: three models × three seeds, one run failed in an
 * untagged cell; `make test` generates it). What the panel shows is checked
 * against the server's answer, and the server's means against the numbers
 * the runs printed.
 */
const SWEEP = path.resolve(__dirname, '..', '..', 'examples', 'runs', 'sweep');
const SHOTS = path.resolve(__dirname, '..', 'screenshots');

/** The sweep's runs in the order they are compared (ridge's first run first). */
const RUNS = ['ridge', 'lasso', 'svm'].flatMap(model =>
  [0, 1, 2].map(seed => `${model}_s${seed}.ipynb`)
);

/** The float a run printed in its cell tagged `mse` (null when it never ran). */
function printedMse(name: string): number | null {
  const nb = JSON.parse(fs.readFileSync(path.join(SWEEP, name), 'utf-8'));
  const cell = nb.cells.find((c: any) =>
    (c.metadata?.tags ?? []).includes('mse')
  );
  const text = (cell.outputs ?? [])
    .filter((o: any) => o.output_type === 'stream')
    .map((o: any) => [].concat(o.text).join(''))
    .join('');
  return text.trim() === '' ? null : parseFloat(text);
}

/** How the panel shows a number: `digits` significant digits, a real minus. */
function shown(value: number, digits = 4): string {
  return String(Number(value.toPrecision(digits))).replace('-', '\u2212');
}

/** `mean ± std` as a group cell shows it (the mean alone without a std). */
function meanStd(stat: any): string {
  return stat.std === null
    ? shown(stat.mean)
    : `${shown(stat.mean)} \u00b1 ${shown(stat.std, 2)}`;
}

/** The next answer of `POST nbcompare/compare` that was asked to group. */
function groupedAnswer(page: IJupyterLabPageFixture): Promise<Response> {
  return page.waitForResponse(
    response =>
      response.url().includes('/nbcompare/compare') &&
      (response.request().postData() ?? '').includes('"group_by"') &&
      response.status() === 200
  );
}

/** Upload the sweep into `folder`. */
async function upload(
  page: IJupyterLabPageFixture,
  folder: string
): Promise<string[]> {
  for (const name of RUNS) {
    await page.contents.uploadFile(path.join(SWEEP, name), `${folder}/${name}`);
  }
  return RUNS.map(name => `${folder}/${name}`);
}

/** Tick every run in the file browser and compare them from the context menu. */
async function compareFromBrowser(
  page: IJupyterLabPageFixture,
  folder: string
): Promise<Locator> {
  expect(await page.filebrowser.openDirectory(folder)).toBe(true);
  const items = RUNS.map(name =>
    page.locator('.jp-DirListing-item', { hasText: name })
  );
  await items[0].click();
  for (const item of items.slice(1)) {
    await item.click({ modifiers: ['ControlOrMeta'] });
  }
  await items[items.length - 1].click({ button: 'right' });
  await page
    .locator('.lm-Menu-item', { hasText: `Compare ${RUNS.length} Notebooks` })
    .click();
  const panel = page.locator('[id^="nbcompare-panel"]');
  await expect(panel).toHaveAttribute('data-loading', 'false');
  // (the grid is windowed: only the columns in view are built)
  await expect(panel.locator('.jp-NbCompare-corner')).toHaveText(
    `${RUNS.length} notebooks`
  );
  return panel;
}

/** The `data-group` of every group column (or row), in the order shown. */
async function groupOrder(panel: Locator): Promise<number[]> {
  const headers = panel.locator('.jp-NbCompare-groupHeader');
  return (await headers.evaluateAll(nodes =>
    nodes.map(node => Number((node as HTMLElement).dataset.group))
  )) as number[];
}

/** A group's stat of `name` (and mapping `key`). */
function statOf(group: any, name: string, key: string | null = null): any {
  return group.stats.find((s: any) => s.name === name && s.key === key);
}

test.describe('Sweeps: groups, sort, runs as rows', () => {
  test.use({ autoGoto: true, viewport: { width: 1400, height: 1000 } });

  test('group the sweep by model: mean ± std and n as the server answers, sort, rows, expand', async ({
    page,
    tmpPath
  }) => {
    await upload(page, tmpPath);
    const panel = await compareFromBrowser(page, tmpPath);

    // When the user groups by model from the toolbar
    const answered = groupedAnswer(page);
    const groupBy = panel.getByRole('button', { name: /^Group by/ });
    await groupBy.click();
    await expect(groupBy).toHaveAttribute('aria-expanded', 'true');
    await panel
      .getByRole('group', { name: 'Group by parameters' })
      .getByRole('checkbox', { name: /^model\b/ })
      .check();
    const answer = await (await answered).json();
    await page.keyboard.press('Escape');
    await expect(groupBy).toHaveAttribute('aria-expanded', 'false');
    await expect(panel).toHaveAttribute('data-grouped', 'true');
    await expect(panel).toHaveAttribute('data-loading', 'false');

    // Then there is one column per model, the baseline's (ridge) first
    const groups = answer.groups;
    expect(groups.map((g: any) => g.key.model)).toEqual([
      'ridge',
      'lasso',
      'svm'
    ]);
    await expect(panel.locator('.jp-NbCompare-groupHeader')).toHaveCount(3);
    expect(await groupOrder(panel)).toEqual([0, 1, 2]);
    await expect(
      panel.locator('.jp-NbCompare-groupHeader[data-group="0"]')
    ).toContainText('Baseline group');
    // the failed lasso run is counted apart, never averaged
    const lasso = groups[1];
    expect(lasso.failed).toEqual([`${tmpPath}/lasso_s2.ipynb`]);
    await expect(
      panel.locator('.jp-NbCompare-groupHeader[data-group="1"]')
    ).toContainText('1 failed');
    // and the server's means are those of the numbers the runs printed
    for (const [index, model] of ['ridge', 'lasso', 'svm'].entries()) {
      const printed = RUNS.filter(name => name.startsWith(model))
        .map(printedMse)
        .filter((v): v is number => v !== null);
      const mean = printed.reduce((a, b) => a + b, 0) / printed.length;
      expect(statOf(groups[index], 'mse').n).toBe(printed.length);
      expect(statOf(groups[index], 'mse').mean).toBeCloseTo(mean, 12);
    }

    // Each group cell shows the server's mean ± std and n
    const cell = (key: string, group: number) =>
      panel.locator(
        `.jp-NbCompare-row[data-key="${key}"] .jp-NbCompare-cell[data-group="${group}"]`
      );
    for (const [index, group] of groups.entries()) {
      for (const [key, name, item] of [
        ['m:tag:mse', 'mse', null],
        ['m:tag:metrics.r2', 'metrics', 'r2']
      ] as const) {
        const stat = statOf(group, name, item);
        const node = cell(key, index);
        await expect(node.locator('.jp-NbCompare-value')).toHaveText(
          meanStd(stat)
        );
        await expect(node.locator('.jp-NbCompare-n')).toHaveText(`n=${stat.n}`);
        // min and max on hover
        const title = await node
          .locator('.jp-NbCompare-groupCell')
          .getAttribute('title');
        expect(title).toContain(`min: ${stat.min}`);
        expect(title).toContain(`max: ${stat.max}`);
      }
    }
    // better/worse only beyond the noise: svm is worse, lasso within noise
    expect(statOf(groups[2], 'mse').significant).toBe(true);
    await expect(
      cell('m:tag:mse', 2).locator('.jp-NbCompare-verdict')
    ).toHaveText('\u2717 worse');
    expect(statOf(groups[1], 'mse').significant).toBe(false);
    await expect(
      cell('m:tag:mse', 1).locator('.jp-NbCompare-verdict')
    ).toHaveText('\u2248 within noise');

    // When the user sorts by r2 (higher is better): best first, baseline first
    await panel
      .getByRole('combobox', { name: 'Sort the columns by' })
      .selectOption({ label: 'metrics.r2 (highest first)' });
    await expect(panel).toHaveAttribute('data-sort-by', 'tag:metrics.r2');
    const r2 = groups.map((g: any) => statOf(g, 'metrics', 'r2').mean);
    const expected = [0, ...[1, 2].sort((a, b) => r2[b] - r2[a])];
    await expect.poll(() => groupOrder(panel)).toEqual(expected);
    // and by mse (lower is better) from the row's own sort button
    await panel
      .locator('.jp-NbCompare-row[data-key="m:tag:mse"]')
      .getByRole('button', { name: 'Sort by mse' })
      .click();
    const mse = groups.map((g: any) => statOf(g, 'mse').mean);
    await expect
      .poll(() => groupOrder(panel))
      .toEqual([0, ...[1, 2].sort((a, b) => mse[a] - mse[b])]);

    // A screenshot of the grouped sweep, in the dark theme
    await page.theme.setDarkTheme();
    await expect(panel.locator('.jp-NbCompare-groupHeader')).toHaveCount(3);
    await page.screenshot({ path: path.join(SHOTS, 'sweep-groups-dark.png') });
    await page.theme.setLightTheme();

    // When the user expands the lasso group: its runs follow it, the failed one too
    await panel
      .locator('.jp-NbCompare-groupHeader[data-group="1"]')
      .getByRole('button', { name: /model = lasso/ })
      .click();
    const members = panel.locator(
      '.jp-NbCompare-headerRow .jp-NbCompare-cell.jp-mod-member'
    );
    await expect(members).toHaveCount(3);
    expect(
      await members.evaluateAll(nodes =>
        nodes.map(node => (node as HTMLElement).dataset.path)
      )
    ).toEqual(
      // sorted by mse too: the failed run has none and goes last
      ['lasso_s0.ipynb', 'lasso_s1.ipynb']
        .sort((a, b) => printedMse(a)! - printedMse(b)!)
        .concat(['lasso_s2.ipynb'])
        .map(name => `${tmpPath}/${name}`)
    );
    await expect(members.last().locator('.jp-NbCompare-status')).toContainText(
      'failed'
    );
    // its runs' own values are shown, against the baseline run
    await expect(
      panel.locator(
        `.jp-NbCompare-row[data-key="m:tag:mse"] .jp-NbCompare-cell[data-path="${tmpPath}/lasso_s0.ipynb"] .jp-NbCompare-value`
      )
    ).toHaveText(shown(printedMse('lasso_s0.ipynb')!));

    // When the user shows runs as rows: one row per group (and expanded run)
    await panel.getByRole('button', { name: 'Runs as rows' }).click();
    await expect(panel).toHaveAttribute('data-layout', 'rows');
    await expect(
      panel.getByRole('button', { name: 'Runs as rows' })
    ).toHaveAttribute('aria-pressed', 'true');
    const rows = panel.locator('.jp-NbCompare-runRow');
    await expect(rows).toHaveCount(3 + 3);
    expect(await groupOrder(panel)).toEqual([
      0,
      ...[1, 2].sort((a, b) => mse[a] - mse[b])
    ]);
    await page.screenshot({ path: path.join(SHOTS, 'sweep-rows-light.png') });
    // with the same cells: svm's mse, a column now, sorted and marked
    const svmRow = panel.locator('.jp-NbCompare-runRow.jp-mod-group', {
      has: page.locator('[data-group="2"]')
    });
    await expect(
      svmRow.locator(
        '.jp-NbCompare-cell[data-field="m:tag:mse"] .jp-NbCompare-value'
      )
    ).toHaveText(meanStd(statOf(groups[2], 'mse')));
    await expect(
      panel.locator(
        '.jp-NbCompare-headerRow .jp-NbCompare-cell[data-field="m:tag:mse"] [role="columnheader"]'
      )
    ).toHaveAttribute('aria-sort', 'ascending');
  });

  test('the command opens a grouped panel, and a reload keeps grouping, sort, layout and expanded groups', async ({
    page,
    tmpPath
  }) => {
    const paths = await upload(page, tmpPath);
    // Given a comparison opened by a script, grouped by model
    const answered = groupedAnswer(page);
    await page.evaluate(
      args =>
        (window as any).jupyterapp.commands.execute('nbcompare:compare', args),
      { paths, groupBy: ['model'] }
    );
    const panel = page.locator('[id^="nbcompare-panel"]');
    await answered;
    await expect(panel).toHaveAttribute('data-grouped', 'true');
    await expect(panel.locator('.jp-NbCompare-groupHeader')).toHaveCount(3);
    await expect(
      panel.getByRole('button', { name: /^Group by/ })
    ).toContainText('Group by: model');

    // When the user sorts by mse and shows runs as rows, which the workspace saves
    const saved = page.waitForRequest(
      request =>
        request.method() === 'PUT' &&
        request.url().includes('/api/workspaces') &&
        (request.postData() ?? '').includes('"layout":"rows"')
    );
    await panel
      .getByRole('combobox', { name: 'Sort the columns by' })
      .selectOption('tag:mse');
    await panel.getByRole('button', { name: 'Runs as rows' }).click();
    await expect(panel.locator('.jp-NbCompare-runRow')).toHaveCount(3);
    const request = await saved;
    expect(request.postData()).toContain('"groupBy":["model"]');
    expect(request.postData()).toContain('"sortBy":"tag:mse"');

    // and expands the lasso group, which the workspace saves too
    const savedExpanded = page.waitForRequest(
      request =>
        request.method() === 'PUT' &&
        request.url().includes('/api/workspaces') &&
        (request.postData() ?? '').includes('"expanded":[{"model":"lasso"}]')
    );
    await panel
      .locator('.jp-NbCompare-groupHeader[data-group="1"]')
      .getByRole('button', { name: /model = lasso/ })
      .click();
    await expect(panel.locator('.jp-NbCompare-runRow')).toHaveCount(3 + 3);
    await savedExpanded;

    // And the page is reloaded
    await page.reload({ waitForIsReady: false });

    // Then the restored panel is grouped, sorted and transposed as before
    const restored = page.locator('[id^="nbcompare-panel"]');
    await expect(restored).toHaveAttribute('data-loading', 'false');
    await expect(restored).toHaveAttribute('data-grouped', 'true');
    await expect(restored).toHaveAttribute('data-group-by', 'model');
    await expect(restored).toHaveAttribute('data-sort-by', 'tag:mse');
    await expect(restored).toHaveAttribute('data-layout', 'rows');
    // with the lasso group still showing its three runs
    await expect(restored.locator('.jp-NbCompare-runRow')).toHaveCount(3 + 3);
    await expect(
      restored
        .locator('.jp-NbCompare-groupHeader[data-group="1"]')
        .getByRole('button', { name: /model = lasso/ })
    ).toHaveAttribute('aria-expanded', 'true');
    await expect(
      restored.locator('.jp-NbCompare-runRow.jp-mod-member')
    ).toHaveCount(3);
    await expect(
      restored.getByRole('combobox', { name: 'Sort the columns by' })
    ).toHaveValue('tag:mse');
  });

  test('the group-by list and a group are usable by keyboard', async ({
    page,
    tmpPath
  }) => {
    const paths = await upload(page, tmpPath);
    await page.evaluate(
      args =>
        (window as any).jupyterapp.commands.execute('nbcompare:compare', args),
      { paths }
    );
    const panel = page.locator('[id^="nbcompare-panel"]');
    await expect(panel).toHaveAttribute('data-loading', 'false');
    // Given focus on "Group by": Enter opens the list at its first checkbox
    const groupBy = panel.getByRole('button', { name: /^Group by/ });
    await groupBy.focus();
    await page.keyboard.press('Enter');
    await expect(groupBy).toHaveAttribute('aria-expanded', 'true');
    const first = panel.getByRole('checkbox').first();
    await expect(first).toBeFocused();
    await expect(first).toHaveAccessibleName(/^model\b/);
    // Space ticks it and the panel groups; Escape closes and returns focus
    const answered = groupedAnswer(page);
    await page.keyboard.press('Space');
    await answered;
    await expect(panel.locator('.jp-NbCompare-groupHeader')).toHaveCount(3);
    await expect(first).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(groupBy).toBeFocused();
    // A group's toggle expands it by keyboard and says so
    const toggle = panel
      .locator('.jp-NbCompare-groupHeader[data-group="2"]')
      .getByRole('button', { name: /model = svm/ });
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect(
      panel
        .locator('.jp-NbCompare-groupHeader[data-group="2"]')
        .getByRole('button', {
          name: /model = svm/
        })
    ).toHaveAttribute('aria-expanded', 'true');
    await expect(
      panel.locator('.jp-NbCompare-headerRow .jp-NbCompare-cell.jp-mod-member')
    ).toHaveCount(3);
    // and the focus stays on the toggle across the redraw
    await expect(
      panel.locator(
        '.jp-NbCompare-groupHeader[data-group="2"] .jp-NbCompare-groupToggle'
      )
    ).toBeFocused();
  });
});
