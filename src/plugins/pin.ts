/**
 * The baseline pin: the `IBaselinePin` service, the "Pin as Baseline" and
 * "Unpin Baseline" commands, and the mark on the pinned notebook in the
 * file browser.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';

import { BaselinePin } from '../pin';
import { selectedNotebooks } from '../selection';
import { pinIcon } from '../icons';
import { IBaselinePin } from '../tokens';
import { CommandIDs } from '../commands';

/** Arguments of the pin commands. */
export interface IPinArgs {
  /** The notebook to pin; without it, the file browser's selection. */
  path?: string;
}

/** The class of the pinned notebook's row in the file browser. */
export const PINNED_ITEM_CLASS = 'jp-NbCompare-pinnedItem';

/** The attribute holding the (translated) badge text of the pinned row. */
export const PINNED_ATTRIBUTE = 'data-nbcompare-baseline';

/** Provides `IBaselinePin`, its commands and its file browser mark. */
export const pinPlugin: JupyterFrontEndPlugin<IBaselinePin> = {
  id: 'jupyterlab-nbcompare:pin',
  description:
    'The pinned baseline notebook, persisted across reloads and shared by every comparison.',
  autoStart: true,
  provides: IBaselinePin,
  optional: [IStateDB, IDefaultFileBrowser, ITranslator, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    state: IStateDB | null,
    browser: IDefaultFileBrowser | null,
    translator: ITranslator | null,
    palette: ICommandPalette | null
  ): IBaselinePin => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_nbcompare');
    const pin = new BaselinePin({
      state,
      contents: app.serviceManager.contents
    });

    /** The notebook a command acts on: its `path`, or the one selected one. */
    const target = (args: IPinArgs): string | null => {
      if (typeof args.path === 'string' && args.path !== '') {
        return args.path;
      }
      const selected = browser
        ? selectedNotebooks(Array.from(browser.selectedItems()))
        : [];
      return selected.length === 1 ? selected[0] : null;
    };

    app.commands.addCommand(CommandIDs.pinBaseline, {
      label: trans.__('Pin as Baseline'),
      caption: trans.__(
        'Use this notebook as the baseline of every comparison that includes it'
      ),
      icon: args => (args.isPalette ? undefined : pinIcon),
      isEnabled: args => target(args as IPinArgs) !== null,
      isVisible: args => {
        const path = target(args as IPinArgs);
        return !!args.isPalette || (path !== null && path !== pin.path);
      },
      execute: args => {
        const path = target(args as IPinArgs);
        if (path !== null) {
          pin.set(path);
        }
      }
    });

    app.commands.addCommand(CommandIDs.unpinBaseline, {
      label: trans.__('Unpin Baseline'),
      caption: args =>
        pin.path
          ? trans.__('Stop using %1 as the baseline', pin.path)
          : trans.__('No notebook is pinned as the baseline'),
      isEnabled: () => pin.path !== null,
      isVisible: args => {
        if (pin.path === null) {
          return false;
        }
        const path = target(args as IPinArgs);
        return !!args.isPalette || path === null || path === pin.path;
      },
      execute: () => {
        pin.set(null);
      }
    });

    pin.changed.connect(() => {
      app.commands.notifyCommandChanged(CommandIDs.pinBaseline);
      app.commands.notifyCommandChanged(CommandIDs.unpinBaseline);
    });

    if (palette) {
      const category = trans.__('Notebook Comparison');
      palette.addItem({ command: CommandIDs.pinBaseline, category });
      palette.addItem({ command: CommandIDs.unpinBaseline, category });
    }

    if (browser) {
      markPinnedInFileBrowser(browser, pin, trans.__('baseline'));
    }
    return pin;
  }
};

/**
 * Keep the pinned notebook's row of the file browser marked (a class, and a
 * badge whose text comes from an attribute, drawn by CSS).
 *
 * The listing reuses its row nodes and gives no "rendered" signal (and keeps
 * its `DirListing` protected), so rows are matched by their displayed name,
 * unique in a folder, whenever the listing's DOM changes. Only attributes
 * are written, which the observer does not watch, so marking never
 * re-triggers itself.
 */
export function markPinnedInFileBrowser(
  browser: IDefaultFileBrowser,
  pin: IBaselinePin,
  badge: string
): IDisposable {
  let frame = 0;
  let disposed = false;
  let observed: Element | null = null;
  const observer = new MutationObserver(() => schedule());

  const sync = () => {
    frame = 0;
    if (disposed) {
      return;
    }
    const content = browser.node.querySelector('.jp-DirListing-content');
    if (content && content !== observed) {
      observer.disconnect();
      observer.observe(content, {
        childList: true,
        subtree: true,
        characterData: true
      });
      observed = content;
    }
    const pinned = pin.path;
    const folder = pinned === null ? null : PathExt.dirname(pinned);
    const name = pinned === null ? null : PathExt.basename(pinned);
    const here = folder !== null && folder === browser.model.path;
    const rows = content
      ? (Array.from(
          content.querySelectorAll(':scope > .jp-DirListing-item')
        ) as HTMLElement[])
      : [];
    for (const row of rows) {
      const text = row.querySelector('.jp-DirListing-itemText');
      const isPinned = here && text !== null && text.textContent === name;
      row.classList.toggle(PINNED_ITEM_CLASS, isPinned);
      if (isPinned) {
        row.setAttribute('aria-description', badge);
        text?.setAttribute(PINNED_ATTRIBUTE, badge);
      } else {
        row.removeAttribute('aria-description');
        text?.removeAttribute(PINNED_ATTRIBUTE);
      }
    }
  };
  const schedule = () => {
    if (!frame && !disposed) {
      frame = requestAnimationFrame(sync);
    }
  };

  pin.changed.connect(schedule);
  browser.model.refreshed.connect(schedule);
  browser.model.pathChanged.connect(schedule);
  schedule();

  return {
    get isDisposed() {
      return disposed;
    },
    dispose() {
      if (disposed) {
        return;
      }
      disposed = true;
      observer.disconnect();
      pin.changed.disconnect(schedule);
      browser.model.refreshed.disconnect(schedule);
      browser.model.pathChanged.disconnect(schedule);
      if (frame) {
        cancelAnimationFrame(frame);
      }
    }
  };
}
