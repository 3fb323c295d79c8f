/**
 * @jest-environment node
 */
import { NbJobsClient } from '../api/client';
import { CreateJobModel } from '../model/createJob';
import { FakeServer } from './fakeServer';

describe('CreateJobModel', () => {
  let server: FakeServer;
  let model: CreateJobModel;

  beforeEach(() => {
    server = new FakeServer();
    model = new CreateJobModel(new NbJobsClient({ serverSettings: server.settings() }));
  });

  afterEach(() => {
    model.dispose();
    jest.useRealTimers();
  });

  it("reads the notebook's parameters; an answer for a path no longer chosen is dropped", async () => {
    server.notebooks.set('a.ipynb', {
      path: 'a.ipynb',
      kernel_name: 'python3',
      has_parameters_cell: true,
      parameters: [{ name: 'n', inferred_type: 'int', default: '3', help: '' }]
    });
    const first = model.setPath('missing.ipynb');
    const second = model.setPath('a.ipynb');
    expect(await first).toBeNull();
    expect((await second)?.parameters.map(p => p.name)).toEqual(['n']);
    expect(model.notebook?.has_parameters_cell).toBe(true);
    expect(model.notebookError).toBeNull();

    expect(await model.setPath('missing.ipynb')).toBeNull();
    expect(model.notebook).toBeNull();
    expect(model.notebookError).toBe('no parameters');
  });

  it('checks a cron once typing pauses', async () => {
    jest.useFakeTimers();
    const checks = () => server.requestsTo('cron/validate').length;
    model.cron.check('0', 'UTC');
    model.cron.check('0 9', 'UTC');
    model.cron.check('0 9 * * *', 'Europe/Berlin');
    await jest.advanceTimersByTimeAsync(399);
    expect(checks()).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(checks()).toBe(1);
    expect(server.requestsTo('cron/validate')[0].body).toEqual({
      cron: '0 9 * * *',
      timezone: 'Europe/Berlin',
      count: 5
    });
    expect(model.cron.nextFireTimes).toHaveLength(5);

    model.cron.check('bad', 'UTC');
    await jest.advanceTimersByTimeAsync(400);
    expect(model.cron.nextFireTimes).toBeNull();
    expect(model.cron.error).toBe('cron: bad');
  });
});
