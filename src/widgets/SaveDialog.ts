/**
 * The dialogs of {@link ExportSaver}: where to save, and whether to
 * overwrite. JupyterLab's own `Dialog`, so focus, Escape and Enter behave as
 * in every other dialog of the application.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { AskPath, ConfirmOverwrite, ISaveAnswer } from '../exportsaver';
import { h } from './dom';

/** The body of the "save as" dialog: a path field and "keep this folder". */
export class SavePathBody
  extends Widget
  implements Dialog.IBodyWidget<ISaveAnswer>
{
  constructor(options: {
    trans: TranslationBundle;
    suggestion: string;
    label: string;
    offerRemember: boolean;
    problem: 'invalid' | 'exists' | null;
  }) {
    super();
    const { trans } = options;
    this.addClass('jp-NbCompare-saveDialog');
    this._input = h('input', {
      className: 'jp-NbCompare-savePath jp-mod-styled',
      attrs: {
        type: 'text',
        spellcheck: 'false',
        'aria-label': trans.__('Path of the new file')
      }
    });
    this._input.value = options.suggestion;
    const nodes: HTMLElement[] = [
      h('label', { className: 'jp-NbCompare-saveLabel' }, [
        h('span', {
          text: trans.__(
            'Save the %1 as (path from the server root):',
            options.label
          )
        }),
        this._input
      ])
    ];
    if (options.problem) {
      nodes.push(
        h('p', {
          className: 'jp-NbCompare-saveProblem',
          attrs: { role: 'alert' },
          text:
            options.problem === 'exists'
              ? trans.__('That file exists and was kept: choose another name.')
              : trans.__(
                  'Give the path of a file inside the server root, such as reports/comparison.html.'
                )
        })
      );
    }
    this._remember = null;
    if (options.offerRemember) {
      this._remember = h('input', {
        className: 'jp-NbCompare-saveRemember',
        attrs: { type: 'checkbox' }
      });
      nodes.push(
        h('label', { className: 'jp-NbCompare-saveRememberLabel' }, [
          this._remember,
          h('span', {
            text: trans.__(
              'Save later exports of comparisons in this folder too'
            )
          })
        ])
      );
    }
    this.node.append(...nodes);
  }

  /** The answer, read when the user presses Save. */
  getValue(): ISaveAnswer {
    return {
      path: this._input.value,
      remember: this._remember?.checked ?? false
    };
  }

  /** Select the file's stem, so typing replaces the name and keeps the folder. */
  protected onAfterAttach(): void {
    const value = this._input.value;
    const start = value.lastIndexOf('/') + 1;
    const dot = value.lastIndexOf('.');
    this._input.setSelectionRange(start, dot > start ? dot : value.length);
  }

  private _input: HTMLInputElement;
  private _remember: HTMLInputElement | null;
}

/** "Where to save?" with JupyterLab's dialog. */
export function askPathDialog(trans: TranslationBundle): AskPath {
  return async options => {
    const result = await showDialog<ISaveAnswer>({
      title: trans.__('Save %1', options.label),
      body: new SavePathBody({ trans, ...options }),
      focusNodeSelector: 'input.jp-NbCompare-savePath',
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Save') })
      ]
    });
    return result.button.accept && result.value ? result.value : null;
  };
}

/** "Overwrite?" with JupyterLab's dialog; Cancel is the default. */
export function confirmOverwriteDialog(
  trans: TranslationBundle
): ConfirmOverwrite {
  return async path => {
    const result = await showDialog({
      title: trans.__('Overwrite file?'),
      body: trans.__('"%1" exists. Replace it with this export?', path),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Keep it') }),
        Dialog.warnButton({ label: trans.__('Overwrite') })
      ],
      defaultButton: 0
    });
    return result.button.accept;
  };
}
