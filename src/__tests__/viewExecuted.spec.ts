import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget, Notification } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';
import { IFrame } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { ServerConnection } from '@jupyterlab/services';

import { JobActions } from '../actions';
import { EXECUTED_TAB_CLASS } from '../actions/jobs';
import { nbjobsIcon } from '../icons';
import { ApiError, NbJobsClient } from '../api/client';
import { IJob, IOutputFile } from '../api/types';
import { INbJobs } from '../tokens';
import { makeJob } from './fakeServer';

// A DOM is needed for the frame, and jsdom has no fetch: the client's one request is stubbed.
const settings = { baseUrl: 'http://localhost:8888/lab-base/' } as ServerConnection.ISettings;

describe('JobActions.viewExecuted', () => {
  let client: NbJobsClient;
  let actions: JobActions;
  let main: Widget[];
  let activated: string[];
  let outputs: jest.SpyInstance<Promise<IOutputFile[]>>;
  const job: IJob = makeJob('a b', { name: 'report', status: 'completed' });

  beforeEach(() => {
    client = new NbJobsClient({ serverSettings: settings });
    outputs = jest.spyOn(client, 'listOutputs').mockResolvedValue([]);
    main = [];
    activated = [];
    const app = {
      shell: {
        widgets: (area: string) => (area === 'main' ? main : [])[Symbol.iterator](),
        add: (widget: Widget, area: string) => {
          expect(area).toBe('main');
          main.push(widget);
        },
        activateById: (id: string) => activated.push(id)
      }
    } as unknown as JupyterFrontEnd;
    const service = {
      client,
      trans: nullTranslator.load('jupyterlab')
    } as unknown as INbJobs;
    actions = new JobActions(app, service);
  });

  afterEach(() => {
    main.forEach(w => w.dispose());
    jest.restoreAllMocks();
  });

  it('opens the server-rendered page in a sandboxed frame in a main-area tab', async () => {
    outputs.mockResolvedValue([
      { name: 'a.ipynb', kind: 'notebook', size: 10, path: 'out/a.ipynb' }
    ]);
    const widget = await actions.viewExecuted(job);

    expect(widget).toBeInstanceOf(MainAreaWidget);
    expect(main).toEqual([widget]);
    const frame = widget!.content;
    expect(frame).toBeInstanceOf(IFrame);
    const url = new URL(frame.url);
    expect(url.pathname).toMatch(/\/nbjobs\/jobs\/a%20b\/view$/);
    expect(url.searchParams.get('download')).toBeNull();
    // Sandboxed with no exception: no scripts, no same origin, no forms, no popups.
    expect(frame.sandbox).toEqual([]);
    expect(frame.node.querySelector('iframe')?.getAttribute('sandbox')).toBe('');
    expect(widget!.title.label).toBe('report (executed)');
    expect(widget!.title.closable).toBe(true);
    expect(activated).toEqual([widget!.id]);

    // Asked again: the open tab is shown, no second one.
    const again = await actions.viewExecuted(job);
    expect(again).toBe(widget);
    expect(main.length).toBe(1);
    expect(activated).toEqual([widget!.id, widget!.id]);
    // It asked the server once, for the outputs; the page itself is the frame's to load.
    expect(outputs).toHaveBeenCalledTimes(1);
    expect(outputs).toHaveBeenCalledWith('a b');
  });

  it('says so, and opens nothing, when the job has no executed notebook', async () => {
    const warning = jest.spyOn(Notification, 'warning').mockReturnValue('');
    expect(await actions.viewExecuted(job)).toBeUndefined();
    expect(main).toEqual([]);
    expect(warning).toHaveBeenCalledWith(
      'This job has no executed notebook yet.',
      expect.anything()
    );
  });

  it('reports a failing request instead of throwing', async () => {
    const error = jest.spyOn(Notification, 'error').mockReturnValue('');
    outputs.mockRejectedValue(new ApiError(500, 'internal', 'down'));
    expect(await actions.viewExecuted(job)).toBeUndefined();
    expect(main).toEqual([]);
    expect(error).toHaveBeenCalledWith('down', expect.anything());
  });

  it('has a URL for saving the page', () => {
    expect(new URL(client.viewUrl('x', true)).searchParams.get('download')).toBe('1');
  });
});

describe('JobActions.openOutput', () => {
  it("tells the executed notebook's tab from its input's without renaming it", async () => {
    const client = new NbJobsClient({ serverSettings: settings });
    jest.spyOn(client, 'listOutputs').mockResolvedValue([
      { name: 'report.ipynb', kind: 'notebook', size: 10, path: 'out/report-1/report.ipynb' }
    ]);
    // A document widget renames its file when its label changes: record label changes.
    const opened = new Widget();
    opened.title.label = 'report.ipynb';
    opened.title.className = 'jp-mod-dirty';
    const labels: string[] = [];
    opened.title.changed.connect(t => labels.push(t.label));
    const execute = jest.fn(async () => opened);
    const app = { commands: { execute } } as unknown as JupyterFrontEnd;
    const service = { client, trans: nullTranslator.load('jupyterlab') } as unknown as INbJobs;
    const actions = new JobActions(app, service);

    await actions.openOutput(makeJob('j', { status: 'completed' }));
    expect(execute).toHaveBeenCalledWith('docmanager:open', { path: 'out/report-1/report.ipynb' });
    expect(opened.title.label).toBe('report.ipynb');
    expect(new Set(labels)).toEqual(new Set(['report.ipynb']));
    expect(opened.title.className.split(' ').sort()).toEqual(
      [EXECUTED_TAB_CLASS, 'jp-mod-dirty'].sort()
    );
    expect(opened.title.icon).toBe(nbjobsIcon);
    // The word the stylesheet puts before the name, in the user's language.
    expect(
      document.documentElement.style.getPropertyValue('--jp-nbjobs-executed-tab-note')
    ).toBe('"executed · "');

    // Opened again (the same widget revealed): marked once.
    await actions.openOutput(makeJob('j', { status: 'completed' }));
    expect(opened.title.className.split(' ').filter(c => c === EXECUTED_TAB_CLASS)).toHaveLength(1);
    opened.dispose();
  });
});
