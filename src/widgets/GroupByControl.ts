import { TranslationBundle } from '@jupyterlab/translation';
import { caretDownIcon } from '@jupyterlab/ui-components';

import { groupByCandidates } from '../groups';
import { CompareModel } from '../model';
import { h, icon } from './dom';

let controlCounter = 0;

/**
 * The toolbar's "Group by" control: a disclosure button (`aria-expanded`)
 * that opens a list of checkboxes, one per flattened parameter of the runs
 * (`model_params.C`), with how many values each takes. Ticking one or more
 * groups the columns by them, in the order ticked. Escape or a click
 * elsewhere closes the list and gives focus back to the button; the list is
 * updated in place, so a refresh never takes the focus from a checkbox.
 */
export class GroupByControl {
  constructor(model: CompareModel, trans: TranslationBundle) {
    this._model = model;
    this._trans = trans;
    const id = `jp-NbCompare-groupBy-${++controlCounter}`;
    this._label = h('span', { text: trans.__('Group by') });
    this.button = h(
      'button',
      {
        className: 'jp-NbCompare-toolbarButton jp-NbCompare-groupByButton',
        title: trans.__(
          'Group the runs that share parameters: one column per group, with mean ± std, and better/worse only beyond the noise'
        ),
        attrs: { 'aria-expanded': 'false', 'aria-controls': id },
        onClick: () => this._setOpen(!this._open)
      },
      [this._label, icon(caretDownIcon)]
    );
    this._list = h('div', {
      className: 'jp-NbCompare-groupByList',
      attrs: {
        role: 'group',
        'aria-label': trans.__('Group by parameters')
      }
    });
    this.popup = h(
      'div',
      {
        className: 'jp-NbCompare-groupByPopup',
        attrs: { id, hidden: '' }
      },
      [
        h('div', {
          className: 'jp-NbCompare-groupByHint',
          text: trans.__('Group the runs that share these parameters:')
        }),
        this._list
      ]
    );
    this.node = h('span', { className: 'jp-NbCompare-groupBy' }, [
      this.button,
      this.popup
    ]);
    this.node.addEventListener('keydown', event => {
      if (event.key === 'Escape' && this._open) {
        event.stopPropagation();
        this._setOpen(false);
        this.button.focus();
      }
    });
    this.node.addEventListener('focusout', event => {
      const next = event.relatedTarget as Node | null;
      if (this._open && next && !this.node.contains(next)) {
        this._setOpen(false);
      }
    });
    document.addEventListener('pointerdown', this._onOutside, true);
    this.sync();
  }

  /** The control's root (the button and its popup). */
  readonly node: HTMLElement;
  /** The disclosure button. */
  readonly button: HTMLButtonElement;
  /** The list of parameters. */
  readonly popup: HTMLElement;

  /** Reflect the model: the parameters on offer and the ones ticked. */
  sync(): void {
    const trans = this._trans;
    const chosen = this._model.groupBy;
    this.button.classList.toggle('jp-mod-active', chosen.length > 0);
    this._label.textContent =
      chosen.length > 0
        ? trans.__('Group by: %1', chosen.join(', '))
        : trans.__('Group by');
    const candidates = groupByCandidates(this._model.notebooks, chosen);
    const signature = candidates.map(c => `${c.name}:${c.distinct}`).join('|');
    if (signature !== this._signature) {
      this._signature = signature;
      this._render(candidates);
    }
    for (const [name, box] of this._boxes) {
      box.checked = chosen.includes(name);
    }
  }

  /** Stop listening to the document. */
  dispose(): void {
    document.removeEventListener('pointerdown', this._onOutside, true);
  }

  private _render(candidates: ReturnType<typeof groupByCandidates>): void {
    const trans = this._trans;
    const focused = Array.from(this._boxes.entries()).find(
      ([, box]) => box === document.activeElement
    )?.[0];
    this._boxes.clear();
    const items = candidates.map(candidate => {
      const box = h('input', {
        className: 'jp-NbCompare-groupByBox',
        attrs: { type: 'checkbox', 'data-name': candidate.name }
      });
      box.addEventListener('change', () => this._toggle(candidate.name));
      this._boxes.set(candidate.name, box);
      return h('label', { className: 'jp-NbCompare-groupByItem' }, [
        box,
        h('span', {
          className: 'jp-NbCompare-groupByName',
          text: candidate.name
        }),
        h('span', {
          className: 'jp-NbCompare-groupByCount',
          text: trans._n('%1 value', '%1 values', candidate.distinct)
        })
      ]);
    });
    if (items.length === 0) {
      items.push(
        h('span', {
          className: 'jp-NbCompare-groupByEmpty',
          text: trans.__('These runs have no parameters.')
        }) as HTMLLabelElement
      );
    }
    this._list.replaceChildren(...items);
    if (focused) {
      this._boxes.get(focused)?.focus();
    }
  }

  private _toggle(name: string): void {
    const chosen = this._model.groupBy;
    const next = chosen.includes(name)
      ? chosen.filter(other => other !== name)
      : [...chosen, name];
    void this._model.setGroupBy(next);
  }

  private _setOpen(open: boolean): void {
    this._open = open;
    this.button.setAttribute('aria-expanded', open ? 'true' : 'false');
    if (open) {
      this.popup.removeAttribute('hidden');
      const first = this._list.querySelector<HTMLInputElement>('input');
      first?.focus();
    } else {
      this.popup.setAttribute('hidden', '');
    }
  }

  private _onOutside = (event: Event): void => {
    if (this._open && !this.node.contains(event.target as Node)) {
      this._setOpen(false);
    }
  };

  private _model: CompareModel;
  private _trans: TranslationBundle;
  private _label: HTMLElement;
  private _list: HTMLElement;
  private _boxes = new Map<string, HTMLInputElement>();
  private _signature = '';
  private _open = false;
}
