import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { Contents } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import { DisposableSet } from '@lumino/disposable';
import { Widget } from '@lumino/widgets';

import { findSourceCell } from '../source';
import { basename } from '../format';
import { compareIcon } from '../icons';
import { h } from './dom';
import { ISourceTarget } from './Grid';

/** One cell of a notebook file, as nbformat stores it. */
interface IRawCell {
  cell_type: string;
  source: string | string[];
  metadata?: Record<string, any>;
  outputs?: IRawOutput[];
  execution_count?: number | null;
}

/** One output of a code cell, as nbformat stores it. */
interface IRawOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}

/** Options of a {@link RunView}. */
export interface IRunViewOptions {
  path: string;
  contents: Contents.IManager;
  rendermime: IRenderMimeRegistry | null;
  trans: TranslationBundle;
  /** Open the notebook itself, without a kernel; the button shows only when given. */
  openEditor?: () => void;
}

/** Ids of the views opened so far. */
let runViewCounter = 0;

const text = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value.join('') : (value ?? '');

/**
 * A read-only view of an executed run. Opening the notebook itself would
 * start a kernel, which rewrites the kernelspec and marks the document dirty,
 * and autosave would then write over the record. This view reads the file
 * through the contents API only: no document context, no session, nothing it
 * could save. Markdown and outputs go through rendermime untrusted (sanitized,
 * no scripts); code is shown as text.
 */
export class RunView extends Widget {
  constructor(options: IRunViewOptions) {
    super();
    this._options = options;
    const { trans, path } = options;
    this.id = `nbcompare-run-${++runViewCounter}`;
    this.addClass('jp-NbCompare-runView');
    this.title.label = trans.__('%1 (read-only)', basename(path));
    this.title.caption = trans.__(
      '%1\nA read-only view of this run: it never starts a kernel and never saves.',
      path
    );
    this.title.icon = compareIcon;
    this.title.closable = true;
    this.node.tabIndex = -1;
    this.node.dataset.path = path;
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', this.title.label);
    this._banner = h('div', {
      className: 'jp-NbCompare-runBanner',
      text: trans.__(
        'Read-only view of %1: an executed run is a record, so no kernel is started and nothing is saved.',
        path
      )
    });
    if (options.openEditor) {
      this._banner.appendChild(
        h('button', {
          className: 'jp-NbCompare-runEdit jp-mod-styled',
          text: trans.__('Open in the Notebook Editor'),
          title: trans.__(
            'Open the notebook itself, without starting a kernel; saving it stays disabled'
          ),
          onClick: () => options.openEditor!()
        })
      );
    }
    this._body = h('div', { className: 'jp-NbCompare-runCells' });
    this.node.append(this._banner, this._body);
  }

  /** The notebook shown. */
  get path(): string {
    return this._options.path;
  }

  /** Resolves once the notebook is read and rendered. */
  get ready(): Promise<void> {
    if (!this._ready) {
      this._ready = this._load();
    }
    return this._ready;
  }

  /** Scroll to and highlight the cell that produced a value. */
  async reveal(target: Pick<ISourceTarget, 'name' | 'origin' | 'cellIndex'>) {
    await this.ready;
    const index = findSourceCell(
      this._cells.map(cell => ({
        type: cell.cell_type,
        getMetadata: (key: string) => cell.metadata?.[key],
        toJSON: () => ({ outputs: cell.outputs ?? [] }) as any
      })),
      target
    );
    const nodes = Array.from(
      this._body.querySelectorAll<HTMLElement>('.jp-NbCompare-runCell')
    );
    nodes.forEach(node => node.classList.remove('jp-mod-active'));
    const node = index >= 0 ? nodes[index] : null;
    if (node) {
      node.classList.add('jp-mod-active');
      node.scrollIntoView({ block: 'center' });
      node.focus({ preventScroll: true });
    } else {
      this._body.scrollTop = 0;
    }
  }

  dispose(): void {
    this._disposables.dispose();
    super.dispose();
  }

  private async _load(): Promise<void> {
    const { contents, path, trans } = this._options;
    try {
      const model = await contents.get(path, {
        type: 'notebook',
        content: true
      });
      this._cells = ((model.content as any)?.cells ?? []) as IRawCell[];
    } catch (reason) {
      this._body.replaceChildren(
        h('div', {
          className: 'jp-NbCompare-error',
          attrs: { role: 'alert' },
          text: trans.__(
            '%1 could not be read: %2',
            path,
            String((reason as Error)?.message ?? reason)
          )
        })
      );
      return;
    }
    this._body.replaceChildren(
      ...this._cells.map((cell, index) => this._renderCell(cell, index))
    );
  }

  private _renderCell(cell: IRawCell, index: number): HTMLElement {
    const { trans } = this._options;
    const tags: string[] = Array.isArray(cell.metadata?.tags)
      ? cell.metadata!.tags
      : [];
    const node = h(
      'section',
      {
        className: `jp-NbCompare-runCell jp-mod-${cell.cell_type}`,
        attrs: {
          tabindex: '-1',
          'data-index': String(index),
          'aria-label': trans.__('Cell %1', index + 1)
        }
      },
      [
        tags.length > 0
          ? h(
              'div',
              { className: 'jp-NbCompare-runTags' },
              tags.map(tag =>
                h('span', { className: 'jp-NbCompare-runTag', text: tag })
              )
            )
          : null
      ]
    );
    if (cell.cell_type === 'markdown') {
      node.appendChild(this._render({ 'text/markdown': text(cell.source) }));
      return node;
    }
    node.appendChild(
      h('div', { className: 'jp-NbCompare-runInput' }, [
        h('span', {
          className: 'jp-NbCompare-runPrompt',
          text:
            cell.cell_type === 'code' ? `[${cell.execution_count ?? ' '}]:` : ''
        }),
        h('pre', {
          className: 'jp-NbCompare-runSource',
          text: text(cell.source)
        })
      ])
    );
    for (const output of cell.outputs ?? []) {
      node.appendChild(this._renderOutput(output));
    }
    return node;
  }

  private _renderOutput(output: IRawOutput): HTMLElement {
    const wrap = (child: HTMLElement, extra = '') =>
      h('div', { className: `jp-NbCompare-runOutput ${extra}`.trim() }, [
        child
      ]);
    switch (output.output_type) {
      case 'stream':
        return wrap(
          h('pre', { text: text(output.text) }),
          output.name === 'stderr' ? 'jp-mod-stderr' : ''
        );
      case 'error':
        return wrap(
          this._render({
            'application/vnd.jupyter.stderr': (output.traceback ?? []).join(
              '\n'
            )
          }),
          'jp-mod-error'
        );
      default:
        return wrap(this._render(output.data ?? {}));
    }
  }

  /** Render a mime bundle untrusted, or its text when nothing can render it. */
  private _render(data: Record<string, unknown>): HTMLElement {
    const registry = this._options.rendermime;
    const mime = registry?.preferredMimeType(data as any, 'any');
    if (!registry || !mime) {
      return h('pre', { text: text(data['text/plain'] as any) });
    }
    const renderer = registry.createRenderer(mime);
    this._disposables.add(renderer);
    const model = new MimeModel({ data: data as any, trusted: false });
    renderer.renderModel(model).catch(reason => {
      renderer.node.textContent = String(reason);
    });
    return renderer.node;
  }

  private _options: IRunViewOptions;
  private _banner: HTMLElement;
  private _body: HTMLElement;
  private _cells: IRawCell[] = [];
  private _ready: Promise<void> | null = null;
  private _disposables = new DisposableSet();
}
