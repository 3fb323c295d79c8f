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
});
