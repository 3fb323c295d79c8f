/**
 * @jest-environment node
 */
import { NbJobsClient } from '../api/client';
import { ScheduleDetailModel, ScheduleListModel } from '../model/schedules';
import { FakeServer, makeJob, makeSchedule } from './fakeServer';

describe('schedule models', () => {
  let server: FakeServer;
  let client: NbJobsClient;

  beforeEach(() => {
    jest.useFakeTimers();
    server = new FakeServer();
    client = new NbJobsClient({ serverSettings: server.settings() });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('the list polls only while shown', async () => {
    server.schedules.set('s', makeSchedule('s'));
    const model = new ScheduleListModel({ client, interval: 1000 });
    const reads = () => server.requestsTo('schedules').length;
    expect(model.schedules).toBeNull();
    model.setActive(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(model.schedules?.map(s => s.id)).toEqual(['s']);
    await jest.advanceTimersByTimeAsync(2000);
    expect(reads()).toBe(3);
    model.setActive(false);
    await jest.advanceTimersByTimeAsync(5000);
    expect(reads()).toBe(3);
    model.dispose();
  });

  it('the detail reads the schedule and its runs, and saves a patch', async () => {
    server.schedules.set('s', makeSchedule('s', { name: 'nightly' }));
    server.add(makeJob('r1', { schedule_id: 's' }));
    server.add(makeJob('other'));
    const model = new ScheduleDetailModel({ client, scheduleId: 's', interval: 1000 });
    await model.refresh();
    expect(model.schedule?.name).toBe('nightly');
    expect(model.runs.map(j => j.id)).toEqual(['r1']);
    expect(server.requestsTo('jobs')[0].url.searchParams.get('schedule_id')).toBe('s');

    const saved = await model.update({ name: 'renamed' });
    expect(saved.name).toBe('renamed');
    expect(model.schedule?.name).toBe('renamed');
    expect(server.requests.pop()?.body).toEqual({ name: 'renamed' });
    model.dispose();
  });

  it('the detail shows the error of a schedule that is gone', async () => {
    const model = new ScheduleDetailModel({ client, scheduleId: 'gone', interval: 1000 });
    await model.refresh();
    expect(model.schedule).toBeNull();
    expect(model.error).toBe('no schedules/gone');
    model.dispose();
  });

  it('the editor reads what the form offers, previews the cron and saves through the detail', async () => {
    server.schedules.set('s', makeSchedule('s', { name: 'nightly', input_path: 'a.ipynb' }));
    server.notebooks.set('a.ipynb', {
      path: 'a.ipynb',
      kernel_name: 'python3',
      has_parameters_cell: true,
      parameters: [{ name: 'n', inferred_type: 'int', default: '3', help: '' }]
    });
    const detail = new ScheduleDetailModel({ client, scheduleId: 's', interval: 1000 });
    await detail.refresh();
    const editor = detail.edit();
    let changes = 0;
    editor.changed.connect(() => void changes++);

    expect(editor.environments).toBeNull();
    const envs = await editor.loadEnvironments();
    expect(envs?.kernels.map(k => k.name)).toEqual(['python3']);
    expect(editor.environments).toBe(envs);
    expect(editor.environmentsError).toBeNull();

    const notebook = await editor.setPath('a.ipynb');
    expect(notebook?.parameters.map(p => p.name)).toEqual(['n']);
    expect(editor.notebook).toBe(notebook);
    expect(await editor.setPath('gone.ipynb')).toBeNull();
    expect(editor.notebookError).toBe('no parameters');
    expect(changes).toBeGreaterThanOrEqual(5);

    editor.cron.check('0 9 * * 1-5', 'Asia/Tokyo');
    await jest.advanceTimersByTimeAsync(400);
    expect(server.requestsTo('cron/validate')[0].body).toEqual({
      cron: '0 9 * * 1-5',
      timezone: 'Asia/Tokyo',
      count: 5
    });
    expect(editor.cron.nextFireTimes).toHaveLength(5);

    const saved = await editor.save({ name: 'renamed', catchup_limit: 3 });
    expect(saved.name).toBe('renamed');
    expect(server.requests.pop()).toMatchObject({
      method: 'PATCH',
      body: { name: 'renamed', catchup_limit: 3 }
    });
    // The detail shows the saved schedule at once, without waiting for its next read.
    expect(detail.schedule?.catchup_limit).toBe(3);

    editor.dispose();
    expect(editor.isDisposed).toBe(true);
    expect(editor.cron.isDisposed).toBe(true);
    detail.dispose();
  });

  it("the editor says why the environments could not be read, and a refused save rejects", async () => {
    server.schedules.set('s', makeSchedule('s'));
    server.environments = null;
    const detail = new ScheduleDetailModel({ client, scheduleId: 's', interval: 1000 });
    await detail.refresh();
    const editor = detail.edit();
    expect(await editor.loadEnvironments()).toBeNull();
    expect(editor.environmentsError).toBe('kernels unavailable');

    server.failNext = {
      status: 400,
      body: { message: 'name: too long', reason: 'invalid_value', field: 'name' }
    };
    await expect(editor.save({ name: 'x'.repeat(201) })).rejects.toMatchObject({
      message: 'name: too long'
    });
    expect(detail.schedule?.name).toBe('schedule s');
    editor.dispose();
    detail.dispose();
  });
});
