import { Widget } from '@lumino/widgets';

import { requestAPI } from '../request';
import { ICompareSelection } from '../tagbrowser/data';
import { ROW_HEIGHT } from '../tagbrowser/flat';
import { TagBrowserModel } from '../tagbrowser/model';
import { TagBrowser } from '../tagbrowser/widget';
import { IIndexResponse } from '../tokens';

jest.mock('../request', () => ({ requestAPI: jest.fn() }));

const request = requestAPI as jest.MockedFunction<typeof requestAPI>;

/** `n` runs all carrying the scalar tag `mse` and, for the first, a hostile tag name. */
function runs(n: number, truncated = false): IIndexResponse {
  const hostile = '<img src=x onerror="window.__pwned=1">';
  return {
    path: 'runs',
    truncated,
    notebooks: Array.from({ length: n }, (_, i) => ({
      path: `runs/r${String(i).padStart(4, '0')}.ipynb`,
      last_modified: new Date(Date.UTC(2026, 10, 26, 7, 0, i)).toISOString(),
      status: 'ok' as const,
      names: [
        {
          name: 'mse',
          origin: 'tag' as const,
          kind: 'scalar' as const,
          value: i / 10
        },
        ...(i === 0
          ? [{ name: hostile, origin: 'tag' as const, kind: 'text' as const }]
          : [])
      ]
    })),
    names: [
      {
        name: 'mse',
        origin: 'tag',
        kind: 'scalar',
        count: n,
        min: 0,
        max: (n - 1) / 10
      },
      { name: hostile, origin: 'tag', kind: 'text', count: 1 }
    ]
  };
}

/**
 * `names` scalar tags (`name00000`, ...) over `notebooks` runs, each name
 * carried by `perName` consecutive runs: a big folder in little JSON.
 */
function manyNames(
  names: number,
  notebooks: number,
  perName: number
): IIndexResponse {
  const carried: { name: string; value: number }[][] = Array.from(
    { length: notebooks },
    () => []
  );
  const summary: IIndexResponse['names'] = [];
  for (let i = 0; i < names; i++) {
    const name = `name${String(i).padStart(5, '0')}`;
    for (let k = 0; k < perName; k++) {
      carried[(i + k) % notebooks].push({ name, value: i + k });
    }
    summary.push({
      name,
      origin: 'tag',
      kind: 'scalar',
      count: perName,
      min: i,
      max: i + perName - 1
    });
  }
  return {
    path: 'runs',
    truncated: false,
    notebooks: carried.map((values, n) => ({
      path: `runs/n${String(n).padStart(3, '0')}.ipynb`,
      last_modified: new Date(Date.UTC(2026, 10, 26, 7, 0, n)).toISOString(),
      status: 'ok' as const,
      names: values.map(({ name, value }) => ({
        name,
        origin: 'tag' as const,
        kind: 'scalar' as const,
        value
      }))
    })),
    names: summary
  };
}

/** The height jsdom (which lays nothing out) reports for the list. */
const LIST_HEIGHT = 400;

/** One animation frame: the windowed list draws on the next one. */
const frame = () =>
  new Promise<void>(resolve => requestAnimationFrame(() => resolve()));

/** Wait for the model's pending refresh and the list drawn after it. */
async function settle(model: TagBrowserModel): Promise<void> {
  await model.refresh();
  await Promise.resolve();
  await frame();
  await frame();
}

describe('TagBrowser widget', () => {
  let widget: TagBrowser;
  let model: TagBrowserModel;
  let compared: ICompareSelection[];

  let opened: string[];

  async function open(index: IIndexResponse): Promise<void> {
    request.mockResolvedValue(index);
    model = new TagBrowserModel();
    compared = [];
    opened = [];
    widget = new TagBrowser({
      model,
      onCompare: selection => compared.push(selection),
      onOpen: path => opened.push(path),
      pollInterval: 0
    });
    widget.setFolder('runs');
    Widget.attach(widget, document.body);
    await settle(model);
  }

  beforeEach(() => {
    // jsdom lays nothing out: give the list a height, as a sidebar would.
    jest
      .spyOn(HTMLElement.prototype, 'getBoundingClientRect')
      .mockImplementation(function (this: HTMLElement) {
        const height = this.classList.contains('jp-WindowedPanel')
          ? LIST_HEIGHT
          : 0;
        return { height, width: 300, top: 0, left: 0 } as DOMRect;
      });
  });

  afterEach(() => {
    widget.dispose();
    request.mockReset();
    jest.restoreAllMocks();
  });

  const row = (key: string) =>
    widget.node.querySelector<HTMLElement>(`li[data-key="${key}"]`)!;
  /** The drawn notebook rows under a name. */
  const notebookRows = (key: string) =>
    Array.from(
      widget.node.querySelectorAll<HTMLElement>(
        `li[data-parent="${key}"][data-path]`
      )
    );
  /** Every drawn row of the tree. */
  const drawnRows = () =>
    Array.from(
      widget.node.querySelectorAll<HTMLElement>('li[role="treeitem"]')
    );
  const keydown = (target: Element, key: string) =>
    target.dispatchEvent(
      new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true })
    );
  const focusedRow = () =>
    (document.activeElement as HTMLElement).closest<HTMLElement>(
      'li[role="treeitem"]'
    );

  it('lists the names with their count and range, and a sparkline for numbers', async () => {
    // Given a folder of five runs
    await open(runs(5));

    // Then mse shows 5 notebooks, its range 0 - 0.4, and a drawn sparkline
    const mse = row('tag:mse');
    expect(
      mse.querySelector('.jp-NbCompare-tagBrowser-nameText')!.textContent
    ).toBe('mse');
    expect(
      mse.querySelector('.jp-NbCompare-tagBrowser-count')!.textContent
    ).toBe('5');
    expect(
      mse.querySelector('.jp-NbCompare-tagBrowser-range')!.textContent
    ).toBe('0 – 0.4');
    const line = mse.querySelector('svg polyline')!;
    expect(line.getAttribute('points')!.split(' ').length).toBe(5);
  });

  it('shows names from notebooks as text, never as markup', async () => {
    // Given a tag whose name looks like HTML
    await open(runs(2));

    // Then it is displayed verbatim and no element was created from it
    const texts = Array.from(
      widget.node.querySelectorAll('.jp-NbCompare-tagBrowser-nameText')
    ).map(node => node.textContent);
    expect(texts).toContain('<img src=x onerror="window.__pwned=1">');
    expect(widget.node.querySelector('img')).toBeNull();
  });

  it('shows the notebooks of an expanded name with their values', async () => {
    await open(runs(3));
    expect(row('tag:mse').getAttribute('aria-expanded')).toBe('false');
    expect(notebookRows('tag:mse')).toEqual([]);

    // When the caret is pressed
    row('tag:mse')
      .querySelector<HTMLButtonElement>('.jp-NbCompare-tagBrowser-toggle')!
      .click();
    await frame();

    // Then the three notebooks are listed with their values, right after
    // the name, one level down
    const items = notebookRows('tag:mse');
    expect(items.map(li => li.dataset.path)).toEqual([
      'runs/r0000.ipynb',
      'runs/r0001.ipynb',
      'runs/r0002.ipynb'
    ]);
    expect(
      items.map(
        li => li.querySelector('.jp-NbCompare-tagBrowser-value')!.textContent
      )
    ).toEqual(['0', '0.1', '0.2']);
    expect(row('tag:mse').nextElementSibling).toBe(items[0]);
    expect(items.map(li => li.getAttribute('aria-level'))).toEqual([
      '3',
      '3',
      '3'
    ]);
    expect(items.map(li => li.getAttribute('aria-posinset'))).toEqual([
      '1',
      '2',
      '3'
    ]);
    expect(items[0].getAttribute('aria-setsize')).toBe('3');
    // and the focus is on the (new) row of the name, now expanded
    expect(row('tag:mse').getAttribute('aria-expanded')).toBe('true');
    expect(document.activeElement).toBe(row('tag:mse'));
    expect(row('tag:mse').tabIndex).toBe(0);
  });

  it('draws only the rows in view of thousands of names and notebooks', async () => {
    // Given 5,000 names, each carried by 3 of 60 notebooks, all expanded
    const started = performance.now();
    await open(manyNames(5000, 60, 3));
    const drawn = performance.now() - started;
    console.info(
      `5,000 names: first draw in ${drawn.toFixed(0)} ms, ${drawnRows().length} rows in the DOM`
    );

    // Then a screenful of rows is drawn, not 5,000
    const names = () =>
      drawnRows().filter(li => li.dataset.key !== undefined).length;
    const bound = Math.ceil(LIST_HEIGHT / ROW_HEIGHT.notebook) + 2 * 8 + 2;
    expect(names()).toBeGreaterThan(5);
    expect(drawnRows().length).toBeLessThanOrEqual(bound);
    // though each row tells assistive technology where it is in the whole
    expect(row('tag:name00000').getAttribute('aria-setsize')).toBe('5000');
    expect(row('tag:name00000').getAttribute('aria-posinset')).toBe('1');
    expect(row('tag:name00000').getAttribute('aria-level')).toBe('2');
    const tree = widget.node.querySelector('[role="tree"]')!;
    expect(tree.getAttribute('aria-label')).toBe('Names and notebooks');
    // and the scrolled height is that of every row
    const inner = widget.node.querySelector<HTMLElement>(
      '.jp-WindowedPanel-inner'
    )!;
    expect(inner.style.height).toBe(
      `${ROW_HEIGHT.group + 5000 * ROW_HEIGHT.nameWithStats}px`
    );

    // When the first and last 100 names are expanded (600 more rows)
    for (const entry of [
      ...model.entries.slice(0, 100),
      ...model.entries.slice(-100)
    ]) {
      model.setExpanded(entry.key, true);
    }
    await frame();
    await frame();

    // Then still only a screenful is in the DOM
    expect(drawnRows().length).toBeLessThanOrEqual(bound);
    expect(notebookRows('tag:name00000').length).toBe(3);
    expect(inner.style.height).toBe(
      `${ROW_HEIGHT.group + 5000 * ROW_HEIGHT.nameWithStats + 600 * ROW_HEIGHT.notebook}px`
    );
  });

  it('draws a far row when the keyboard or the scrollbar gets there', async () => {
    await open(manyNames(5000, 60, 3));
    const first = row('tag:name00000');
    first.focus();

    // When the user presses End
    keydown(first, 'End');
    await frame();
    await frame();

    // Then the last name is drawn and has the focus, the first is gone
    const last = row('tag:name04999');
    expect(last).not.toBeNull();
    expect(document.activeElement).toBe(last);
    expect(last.tabIndex).toBe(0);
    expect(row('tag:name00000')).toBeNull();
    expect(drawnRows().length).toBeLessThan(40);

    // When the user presses Home, then ArrowDown twice
    keydown(last, 'Home');
    await frame();
    await frame();
    expect(document.activeElement).toBe(
      widget.node.querySelector('li[data-group="tag"]')
    );
    keydown(document.activeElement!, 'ArrowDown');
    keydown(document.activeElement!, 'ArrowDown');
    expect(focusedRow()!.dataset.key).toBe('tag:name00001');
    // Only one row is in the tab order
    expect(drawnRows().filter(li => li.tabIndex === 0)).toEqual([focusedRow()]);

    // When the scroll container is scrolled to the bottom (as a wheel would)
    const outer = widget.node.querySelector<HTMLElement>(
      '.jp-WindowedPanel-outer'
    )!;
    const total = ROW_HEIGHT.group + 5000 * ROW_HEIGHT.nameWithStats;
    let scrollTop = total - LIST_HEIGHT;
    Object.defineProperty(outer, 'scrollHeight', { value: total });
    Object.defineProperty(outer, 'clientHeight', { value: LIST_HEIGHT });
    Object.defineProperty(outer, 'scrollTop', {
      get: () => scrollTop,
      set: (value: number) => (scrollTop = value),
      configurable: true
    });
    outer.dispatchEvent(new Event('scroll'));
    await frame();
    await frame();

    // Then the last names are drawn; the focused row went away, so focus
    // waits on the scroll container, where the keys still work
    expect(row('tag:name04999')).not.toBeNull();
    expect(row('tag:name00001')).toBeNull();
    expect(document.activeElement).toBe(outer);
    keydown(outer, 'ArrowDown');
    await frame();
    await frame();
    expect(focusedRow()!.dataset.key).toBe('tag:name00002');
  });

  it('opens, enters, leaves and folds names with the arrow keys', async () => {
    await open(runs(3));
    const mse = row('tag:mse');
    mse.focus();

    // Right opens the name, Right again enters its first notebook
    keydown(mse, 'ArrowRight');
    await frame();
    expect(model.isExpanded('tag:mse')).toBe(true);
    expect(focusedRow()).toBe(row('tag:mse'));
    keydown(focusedRow()!, 'ArrowRight');
    expect(focusedRow()!.dataset.path).toBe('runs/r0000.ipynb');

    // Space ticks the notebook, Enter opens it
    keydown(focusedRow()!, ' ');
    expect(model.isNotebookTicked('runs/r0000.ipynb')).toBe(true);
    expect(focusedRow()!.getAttribute('aria-checked')).toBe('true');
    expect(
      focusedRow()!.querySelector<HTMLInputElement>('input')!.checked
    ).toBe(true);
    keydown(focusedRow()!, 'Enter');
    expect(opened).toEqual(['runs/r0000.ipynb']);

    // Left goes back to the name, Left again folds it
    keydown(focusedRow()!, 'ArrowLeft');
    expect(focusedRow()).toBe(row('tag:mse'));
    keydown(focusedRow()!, ' ');
    expect(model.isNameTicked('tag:mse')).toBe(true);
    keydown(focusedRow()!, 'ArrowLeft');
    await frame();
    expect(model.isExpanded('tag:mse')).toBe(false);
    expect(notebookRows('tag:mse')).toEqual([]);
    expect(focusedRow()).toBe(row('tag:mse'));
    expect(row('tag:mse').getAttribute('aria-checked')).toBe('true');

    // Left once more goes to the group, which Left folds
    keydown(focusedRow()!, 'ArrowLeft');
    const group = focusedRow()!;
    expect(group.dataset.group).toBe('tag');
    expect(group.getAttribute('aria-expanded')).toBe('true');
    keydown(group, 'ArrowLeft');
    await frame();
    expect(row('tag:mse')).toBeNull();
    expect(focusedRow()!.getAttribute('aria-expanded')).toBe('false');
    keydown(focusedRow()!, 'Enter');
    await frame();
    expect(row('tag:mse')).not.toBeNull();
  });

  it('keeps a tick made on a row that scrolled away', async () => {
    await open(manyNames(5000, 60, 3));
    row('tag:name00002')
      .querySelector<HTMLInputElement>('input[data-nbc-name]')!
      .click();
    expect(model.isNameTicked('tag:name00002')).toBe(true);
    row('tag:name00000').focus();
    keydown(row('tag:name00000'), 'End');
    await frame();
    await frame();
    expect(row('tag:name00002')).toBeNull();
    keydown(document.activeElement!, 'Home');
    await frame();
    await frame();
    // Drawn anew from the model, the row is still ticked
    const again = row('tag:name00002');
    expect(again.querySelector<HTMLInputElement>('input')!.checked).toBe(true);
    expect(again.getAttribute('aria-checked')).toBe('true');
    expect(again.classList).toContain('jp-mod-ticked');
  });

  it('ticks with checkboxes and sends the selection on Compare', async () => {
    // Given three runs, mse expanded
    await open(runs(3));
    model.setExpanded('tag:mse', true);
    await frame();
    const compare = widget.node.querySelector<HTMLButtonElement>(
      '.jp-NbCompare-tagBrowser-compare'
    )!;
    expect(compare.disabled).toBe(true);

    // When the user ticks mse and two notebooks
    const tick = (box: HTMLInputElement) => {
      box.click();
    };
    tick(row('tag:mse').querySelector('input[data-nbc-name]')!);
    const boxes = notebookRows('tag:mse').map(li =>
      li.querySelector<HTMLInputElement>('input[data-nbc-path]')!
    );
    tick(boxes[2]);
    tick(boxes[0]);

    // Then the model follows and Compare sends exactly that
    expect(model.isNameTicked('tag:mse')).toBe(true);
    expect(compare.disabled).toBe(false);
    compare.click();
    expect(compared).toEqual([
      {
        paths: ['runs/r0000.ipynb', 'runs/r0002.ipynb'],
        names: ['mse'],
        baseline: null
      }
    ]);
  });

  it('says when the scan was truncated', async () => {
    await open(runs(2, true));
    const notice = widget.node.querySelector(
      '.jp-NbCompare-tagBrowser-notice'
    )!;
    expect(notice.textContent).toMatch(/Only part of this folder was scanned/);
  });

  it('names the notebooks it could not read, with the reason on hover', async () => {
    // Given a folder where one notebook is not valid JSON
    const index = runs(2);
    index.notebooks.push({
      path: 'runs/broken.ipynb',
      last_modified: null,
      status: 'unreadable',
      error: { code: 'invalid_json', message: 'Expecting value: line 1' },
      names: []
    });
    await open(index);
    // Then the notice says so, by name, and why on hover
    const message = Array.from(
      widget.node.querySelectorAll<HTMLElement>(
        '.jp-NbCompare-tagBrowser-notice p'
      )
    ).find(p => p.textContent!.includes('could not be read'));
    expect(message?.textContent).toBe(
      '1 notebook could not be read: broken.ipynb'
    );
    expect(message!.title).toBe('runs/broken.ipynb: Expecting value: line 1');
  });

  it('keeps the distinguishing end of long notebook names visible', async () => {
    // Given runs whose names share a long prefix
    const stem = 'sweep_resnet50_imagenet_lr0.01_batch256_epochs90_warmup5';
    const index = runs(3);
    index.notebooks.forEach(
      (nb, i) => (nb.path = `runs/${stem}_seed${i}.ipynb`)
    );
    await open(index);
    row('tag:mse')
      .querySelector<HTMLButtonElement>('.jp-NbCompare-tagBrowser-toggle')!
      .click();
    await frame();
    const labels = notebookRows('tag:mse').map(li =>
      li.querySelector<HTMLElement>('.jp-NbCompare-tagBrowser-notebookLabel')!
    );
    const names = labels.map(
      l =>
        l.querySelector('.jp-NbCompare-tagBrowser-notebookName')!.textContent!
    );
    // Then each shown name ends with its seed, and all three differ
    expect(names.map(n => n.slice(-6))).toEqual(['_seed0', '_seed1', '_seed2']);
    expect(names.every(n => n.length <= 28 && n.includes('\u2026'))).toBe(true);
    // and the full path is on hover
    expect(labels[1].title).toBe(`runs/${stem}_seed1.ipynb`);
  });

  it('filters the list after the search box settles', async () => {
    await open(runs(2));
    jest.useFakeTimers();
    try {
      const search = widget.node.querySelector<HTMLInputElement>(
        '.jp-NbCompare-tagBrowser-search'
      )!;
      search.value = 'ms';
      search.dispatchEvent(new Event('input'));
      // Not yet: typing is debounced
      expect(model.query).toBe('');
      jest.advanceTimersByTime(500);
      expect(model.query).toBe('ms');
      // (the list draws on the next animation frame)
      jest.useRealTimers();
      await frame();
      await frame();
      const keys = Array.from(
        widget.node.querySelectorAll<HTMLElement>('li[data-key]')
      ).map(li => li.dataset.key);
      expect(keys).toEqual(['tag:mse']);
      const group = widget.node.querySelector<HTMLElement>(
        'li[data-group="tag"]'
      )!;
      expect(group.textContent).toBe('Tags (1)');
      expect(row('tag:mse').getAttribute('aria-setsize')).toBe('1');
    } finally {
      jest.useRealTimers();
    }
  });
});
