import { nullTranslator } from '@jupyterlab/translation';

import {
  CommandIDs,
  findSourceCell,
  panelServices,
  restoreArgs,
  restoreName
} from '../commands';
import { CompareModel } from '../model';

/** A cell model as the notebook's cell list holds it. */
function cell(type: string, tags: string[] = [], outputs: any[] = []) {
  return {
    type,
    getMetadata: (key: string) => (key === 'tags' ? tags : undefined),
    toJSON: () => ({ outputs })
  };
}

describe('findSourceCell: the cell that produced a value', () => {
  const cells = [
    cell('markdown', ['mse']),
    cell('code', ['parameters']),
    cell('code', ['mse', 'loss']),
    cell(
      'code',
      [],
      [
        {
          data: {
            'application/scrapbook.scrap.json+json': { name: 'r2', data: 0.9 }
          }
        },
        {
          data: { 'text/plain': '0.9' },
          metadata: { scrapbook: { name: 'shown' } }
        }
      ]
    ),
    cell('code', ['mse'])
  ];

  it.each([
    [
      'the last code cell tagged with the name wins',
      { name: 'mse', origin: 'tag' },
      4
    ],
    ['any tag of a cell names it', { name: 'loss', origin: 'tag' }, 2],
    ['a scrap is found by its glued name', { name: 'r2', origin: 'scrap' }, 3],
    ['a display scrap by its metadata', { name: 'shown', origin: 'scrap' }, 3],
    ['markdown tags name nothing', { name: 'nothing', origin: 'tag' }, -1],
    [
      'the server cell index wins',
      { name: 'mse', origin: 'tag', cellIndex: 2 },
      2
    ],
    [
      'an out of range index is ignored',
      { name: 'mse', origin: 'tag', cellIndex: 99 },
      4
    ],
    ['no name: nothing to find', { name: '', origin: 'tag' }, -1]
  ])('%s', (_title, target, expected) => {
    expect(findSourceCell(cells, target as any)).toBe(expected);
  });
});

describe('restoreArgs / restoreName: a reload reopens the same comparison', () => {
  const paths = ['runs/a.ipynb', 'runs/b.ipynb'];

  it('carries the name filter and the chosen baseline', () => {
    expect(
      restoreArgs({
        paths,
        names: ['mse', 'r2'],
        requestedBaseline: 'runs/b.ipynb'
      })
    ).toEqual({ paths, names: ['mse', 'r2'], baseline: 'runs/b.ipynb' });
  });

  it('leaves a default or pinned baseline to be worked out again', () => {
    expect(restoreArgs({ paths, requestedBaseline: null })).toEqual({ paths });
  });

  it('keeps two comparisons of the same notebooks with different names apart', () => {
    const a = restoreName({ paths, names: ['mse'], requestedBaseline: null });
    const b = restoreName({ paths, names: ['r2'], requestedBaseline: null });
    const all = restoreName({ paths, requestedBaseline: null });
    expect(new Set([a, b, all]).size).toBe(3);
  });

  it('follows the model: "Set as baseline" is remembered, the pin is not', async () => {
    const fetch = async () => {
      throw new Error('offline');
    };
    const pinned = new CompareModel({ paths, pinned: paths[1], fetch });
    expect(pinned.baseline).toBe(paths[1]);
    expect(restoreArgs(pinned)).toEqual({ paths });
    const chosen = new CompareModel({ paths, names: ['mse'], fetch });
    await chosen.setBaseline(paths[1]);
    expect(restoreArgs(chosen)).toEqual({
      paths,
      names: ['mse'],
      baseline: paths[1]
    });
  });
});

describe('panelServices: what every panel gets from the application', () => {
  function fakeApp() {
    const executed: [string, any][] = [];
    const app = {
      commands: {
        execute: async (id: string, args: any) => {
          executed.push([id, args]);
        }
      },
      serviceManager: {
        contents: {
          get: async () => {
            throw new Error('no such file');
          }
        }
      }
    };
    return { app: app as any, executed };
  }

  it('opens values read-only and files in the docmanager', () => {
    const { app, executed } = fakeApp();
    const services = panelServices(app, nullTranslator, null, null);
    const target = { path: 'runs/a.ipynb', name: 'mse', origin: 'tag' };
    services.openSource(target as any);
    services.openPath('runs/b.ipynb');
    expect(executed).toEqual([
      [CommandIDs.openSource, target],
      ['docmanager:open', { path: 'runs/b.ipynb' }]
    ]);
  });

  it("sanitizes HTML with rendermime's sanitizer, and not at all without one", () => {
    const { app } = fakeApp();
    const rendermime = {
      sanitizer: { sanitize: (html: string) => html.replace(/<script.*/, '') }
    } as any;
    const services = panelServices(app, nullTranslator, rendermime, null);
    expect(services.sanitize!('<b>x</b><script>alert(1)</script>')).toBe(
      '<b>x</b>'
    );
    expect(panelServices(app, nullTranslator, null, null).sanitize).toBe(
      undefined
    );
  });
});
