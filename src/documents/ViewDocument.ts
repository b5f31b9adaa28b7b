/**
 * A `.nbcompare` file opened as a document: the comparison panel on the
 * view, saved, reverted, renamed and checkpointed by JupyterLab's document
 * manager like any file.
 *
 * The document's text is the truth. Opening (and any change of the text
 * that is not the panel's own: revert, a collaborator's edit, a rename)
 * sends it to the server, which validates it and expands its patterns; the
 * panel is then built on the notebooks it names. A change in the panel
 * (baseline, filter, only differences) writes the text anew through the
 * adapter (`adapter.ts`), which marks the document dirty; Ctrl+S saves it.
 * A view that cannot be opened shows why, naming the field, and is never
 * written: the text is only ever set from a panel built on it.
 */
import {
  ABCWidgetFactory,
  DocumentRegistry,
  DocumentWidget
} from '@jupyterlab/docregistry';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import { PanelLayout, Widget } from '@lumino/widgets';

import { compareIcon } from '../icons';
import { CompareFetcher, CompareModel, fetchComparison } from '../model';
import { h } from '../widgets/dom';
import {
  ComparePanel,
  IComparePanelOptions,
  statByFolder
} from '../widgets/ComparePanel';
import {
  applyStateToModel,
  IViewState,
  modelOptions,
  stateOfModel,
  ViewError,
  viewText
} from './adapter';
import { expandOnServer, IOpenedView, openView, ViewExpander } from './expand';

/** The panel options a view document passes on (services of the application). */
export type ViewPanelOptions = Omit<
  IComparePanelOptions,
  'paths' | 'baseline' | 'names' | 'model' | 'pin' | 'exportFolder'
>;

/** Options of a {@link ViewContent}. */
export interface IViewContentOptions {
  /** The document's context (text model, path, save state). */
  context: DocumentRegistry.IContext<DocumentRegistry.IModel>;
  translator?: ITranslator;
  /** What every panel of the view gets (rendermime, saver, openers...). */
  panel?: ViewPanelOptions;
  /** How to ask the server to open the view; `POST nbcompare/view/expand`. */
  expand?: ViewExpander;
  /** How to compare (tests); `POST nbcompare/compare`. */
  fetch?: CompareFetcher;
  /** Wait after a change of the text before opening it again, in ms. */
  reloadDelay?: number;
  /** Open the file in the text editor (offered with an error), if available. */
  openEditor?: () => void;
}

/** The content of a view document: the comparison panel, or why there is none. */
export class ViewContent extends Widget {
  constructor(options: IViewContentOptions) {
    super();
    this._options = options;
    this._trans = (options.translator ?? nullTranslator).load(
      'jupyterlab_nbcompare'
    );
    this._expand = options.expand ?? expandOnServer;
    this.addClass('jp-NbCompare-viewDocument');
    this.layout = new PanelLayout();
    this._notice = new Widget();
    this._notice.addClass('jp-NbCompare-viewNotice');
    this._notice.node.setAttribute('aria-live', 'polite');
    (this.layout as PanelLayout).addWidget(this._notice);
    this.node.dataset.state = 'loading';

    const context = options.context;
    context.model.contentChanged.connect(this._onContentChanged, this);
    context.pathChanged.connect(this._onPathChanged, this);
    context.saveState.connect(this._onSaveState, this);
    this.ready = context.ready.then(() => this._load());
  }

  /** Settles once the first opening of the view is done (shown or refused). */
  readonly ready: Promise<void>;

  /** The comparison panel, or null while loading or when the view cannot be opened. */
  get panel(): ComparePanel | null {
    return this._panel;
  }

  /** Why the view cannot be opened, or null. */
  get error(): Error | null {
    return this._error;
  }

  /** Open the view again: new runs that its patterns match now appear. */
  async reload(): Promise<void> {
    await this._load();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    window.clearTimeout(this._timer);
    const context = this._options.context;
    context.model.contentChanged.disconnect(this._onContentChanged, this);
    context.pathChanged.disconnect(this._onPathChanged, this);
    context.saveState.disconnect(this._onSaveState, this);
    super.dispose();
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    if (this._panel) {
      this._panel.activate();
    } else {
      this.node.focus();
    }
  }

  private _onContentChanged(): void {
    if (!this._options.context.isReady) {
      // The document's first content, set while the context initialises
      // (the document manager builds the widget first): the first opening,
      // on ready, reads it.
      return;
    }
    window.clearTimeout(this._timer);
    this._timer = undefined;
    if (this._options.context.model.toString() === this._shown) {
      // The panel's own change, or the text it shows set again (a revert to
      // the same bytes): nothing to open again.
      return;
    }
    this._timer = window.setTimeout(() => {
      this._timer = undefined;
      void this._load();
    }, this._options.reloadDelay ?? 300);
  }

  private _onPathChanged(): void {
    // The view's paths start from its folder: a move changes what it names.
    void this._load();
  }

  private _onSaveState(
    _: DocumentRegistry.IContext<DocumentRegistry.IModel>,
    state: DocumentRegistry.SaveState
  ): void {
    if (state === 'completed') {
      this._saved = this._options.context.model.toString();
    }
  }

  /** Open the text the document holds now; show the panel or the error. */
  private async _load(): Promise<void> {
    // This opening reads the text as it is now: a reload planned for an
    // earlier change of it is this one.
    window.clearTimeout(this._timer);
    this._timer = undefined;
    const ticket = ++this._ticket;
    const context = this._options.context;
    const text = context.model.toString();
    this._shown = text;
    this._loading = true;
    if (!context.model.dirty) {
      this._saved = text;
    }
    let opened: IOpenedView;
    try {
      opened = await openView(text, context.localPath, this._expand);
    } catch (reason) {
      if (ticket === this._ticket && !this.isDisposed) {
        this._loading = false;
        // The same text set again (Reload from Disk) tries once more: the
        // cause may have passed (a server restarting).
        this._shown = null;
        this._showError(reason as Error);
      }
      return;
    }
    if (ticket !== this._ticket || this.isDisposed) {
      return;
    }
    this._loading = false;
    this._opened = opened;
    this._error = null;
    this._build(opened.paths, opened.state);
  }

  /** A new panel on `paths` in `state` (the old one goes). */
  private _build(paths: string[], state: IViewState): void {
    const opened = this._opened!;
    this._disposePanel();
    const trans = this._trans;
    const notes: HTMLElement[] = [];
    if (opened.truncated) {
      notes.push(
        h('p', {
          className: 'jp-NbCompare-viewTruncated',
          text: trans.__('Not every notebook is shown: %1.', opened.truncated)
        })
      );
    }
    if (paths.length === 0) {
      this.node.dataset.state = 'empty';
      notes.push(
        h('p', {
          className: 'jp-NbCompare-empty',
          text: trans.__('No notebook matches the patterns of this view yet.')
        }),
        h('button', {
          className: 'jp-mod-styled jp-NbCompare-viewReload',
          text: trans.__('Look again'),
          onClick: () => void this.reload()
        })
      );
      this._notice.node.replaceChildren(...notes);
      return;
    }
    this._notice.node.replaceChildren(...notes);
    const options = this._options.panel ?? {};
    let fetches = 0;
    const fetch = this._options.fetch ?? fetchComparison;
    const model = new CompareModel({
      ...modelOptions(paths, state),
      fetch: request => {
        // Every refresh after the first looks for new runs too.
        if (fetches++ > 0) {
          void this._expandAgain();
        }
        return fetch(request);
      },
      stat: options.contents ? statByFolder(options.contents) : undefined
    });
    applyStateToModel(model, state);
    const panel = new ComparePanel({
      ...options,
      paths,
      model,
      pin: null, // a view carries its own baseline, the same for everyone
      exportFolder: opened.folder,
      canSaveView: false,
      chart: state.chart
    });
    model.changed.connect(this._sync, this);
    panel.charts.chartChanged.connect(this._sync, this);
    panel.chartToggled.connect(this._sync, this);
    this._panel = panel;
    (this.layout as PanelLayout).addWidget(panel);
    this.node.dataset.state = 'ready';
    this._sync();
  }

  /** Write the panel's state into the document (dirty unless it is what is saved). */
  private _sync(): void {
    const opened = this._opened;
    const panel = this._panel;
    if (!opened || !panel || this._loading || this._timer !== undefined) {
      // While the document's new text waits to be opened, the panel on the
      // old one does not write over it: that text wins, and the panel is
      // rebuilt on it.
      return;
    }
    const text = viewText(
      opened.text,
      opened.view,
      opened.state,
      stateOfModel(panel.model, panel.chart),
      { folder: opened.folder, baseline: null }
    );
    const model = this._options.context.model;
    if (text === model.toString()) {
      return;
    }
    this._shown = text;
    model.sharedModel.setSource(text);
    model.dirty = text !== this._saved;
  }

  /** Expand the view again; a different set of notebooks rebuilds the panel. */
  private async _expandAgain(): Promise<void> {
    const panel = this._panel;
    const context = this._options.context;
    if (!panel) {
      return;
    }
    let paths: string[];
    try {
      paths = (
        await this._expand({
          path: context.localPath,
          view: context.model.toString()
        })
      ).notebooks;
    } catch {
      return; // the panel stays as it is; opening again will say why
    }
    const same =
      paths.length === panel.paths.length &&
      paths.every((path, index) => path === panel.paths[index]);
    if (!same && panel === this._panel && !this.isDisposed) {
      this._build(paths, stateOfModel(panel.model, panel.chart));
    }
  }

  private _showError(reason: Error): void {
    this._disposePanel();
    this._opened = null;
    this._error = reason;
    const trans = this._trans;
    const field = reason instanceof ViewError ? reason.field : null;
    this.node.dataset.state = 'error';
    this._notice.node.replaceChildren(
      h(
        'div',
        {
          className: 'jp-NbCompare-error jp-NbCompare-viewError',
          attrs: {
            role: 'alert',
            ...(field !== null ? { 'data-field': field } : {})
          }
        },
        [
          h('p', {
            text:
              field !== null
                ? trans.__('This view cannot be opened: %1', reason.message)
                : trans.__('The view could not be opened: %1', reason.message)
          }),
          h('p', {
            className: 'jp-NbCompare-viewHint',
            text: trans.__(
              'The file is left as it is. To fix it, open it with the editor (right-click it, Open With, Editor).'
            )
          }),
          this._options.openEditor
            ? h('button', {
                className: 'jp-mod-styled jp-NbCompare-viewEdit',
                text: trans.__('Open in Editor'),
                onClick: () => this._options.openEditor?.()
              })
            : null
        ]
      )
    );
  }

  private _disposePanel(): void {
    if (this._panel) {
      this._panel.model.changed.disconnect(this._sync, this);
      this._panel.dispose();
      this._panel = null;
    }
  }

  private _options: IViewContentOptions;
  private _trans: TranslationBundle;
  private _expand: ViewExpander;
  private _notice: Widget;
  private _panel: ComparePanel | null = null;
  private _opened: IOpenedView | null = null;
  private _error: Error | null = null;
  /** The text the panel shows: what was opened, or what the panel wrote. */
  private _shown: string | null = null;
  private _saved = '';
  private _ticket = 0;
  private _timer: number | undefined = undefined;
  private _loading = false;
}

/** The registered name of the view widget factory. */
export const VIEW_FACTORY = 'Comparison View';

/** Makes the content of one view document. */
export type ViewContentMaker = (
  context: DocumentRegistry.IContext<DocumentRegistry.IModel>
) => ViewContent;

/** The widget factory of `.nbcompare` documents. */
export class ViewDocumentFactory extends ABCWidgetFactory<
  DocumentWidget<ViewContent>,
  DocumentRegistry.IModel
> {
  constructor(
    options: DocumentRegistry.IWidgetFactoryOptions<
      DocumentWidget<ViewContent>
    >,
    make: ViewContentMaker
  ) {
    super(options);
    this._make = make;
  }

  protected createNewWidget(
    context: DocumentRegistry.IContext<DocumentRegistry.IModel>
  ): DocumentWidget<ViewContent> {
    const content = this._make(context);
    const widget = new DocumentWidget({ content, context });
    widget.title.icon = compareIcon;
    widget.addClass('jp-NbCompare-viewWidget');
    // The panel has its own toolbar; the document's would be an empty strip.
    widget.toolbar.hide();
    return widget;
  }

  private _make: ViewContentMaker;
}
