import { WidgetTracker } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';

import { addCompareCommand, CommandIDs, ICompareArgs } from '../commands';

/** The compare command of an app whose shell shows one document per page. */
function setup(pinned: string | null) {
  const commands = new CommandRegistry();
  const shell = { add: jest.fn(), activateById: jest.fn() };
  const opened: ICompareArgs[] = [];
  addCompareCommand({
    app: { commands, shell, serviceManager: { contents: {} } } as any,
    browser: null,
    palette: null,
    translator: nullTranslator,
    tracker: new WidgetTracker({ namespace: 'test-nbcompare' }),
    pin: { path: pinned } as any,
    opener: {
      open: args => {
        opened.push(args);
        return true;
      }
    }
  });
  return { commands, shell, opened };
}

describe('a comparison opened in a page of its own', () => {
  it('carries the pinned baseline when the pin is one of the notebooks', async () => {
    const { commands, shell, opened } = setup('b.ipynb');
    await commands.execute(CommandIDs.compare, {
      paths: ['a.ipynb', 'b.ipynb']
    });
    expect(opened).toEqual([
      { paths: ['a.ipynb', 'b.ipynb'], baseline: 'b.ipynb', names: undefined }
    ]);
    expect(shell.add).not.toHaveBeenCalled();
  });

  it('leaves the baseline out when the pin is not compared', async () => {
    const { commands, opened } = setup('c.ipynb');
    await commands.execute(CommandIDs.compare, {
      paths: ['a.ipynb', 'b.ipynb'],
      names: ['mse']
    });
    expect(opened).toEqual([
      { paths: ['a.ipynb', 'b.ipynb'], baseline: undefined, names: ['mse'] }
    ]);
  });

  it('keeps a baseline the caller asked for over the pin', async () => {
    const { commands, opened } = setup('b.ipynb');
    await commands.execute(CommandIDs.compare, {
      paths: ['a.ipynb', 'b.ipynb'],
      baseline: 'a.ipynb'
    });
    expect(opened[0].baseline).toBe('a.ipynb');
  });
});
