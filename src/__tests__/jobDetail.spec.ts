/**
 * @jest-environment node
 */
import { NbJobsClient } from '../api/client';
import { JobDetailModel } from '../model/jobDetail';
import { FakeServer, makeJob } from './fakeServer';

describe('JobDetailModel', () => {
  let server: FakeServer;
  let model: JobDetailModel;

  beforeEach(() => {
    jest.useFakeTimers();
    server = new FakeServer();
    server.add(makeJob('a', { status: 'running' }));
    server.logs.set('a', 'line 1\n');
    const client = new NbJobsClient({ serverSettings: server.settings() });
    model = new JobDetailModel({ client, jobId: 'a', interval: 1000 });
  });

  afterEach(() => {
    model.dispose();
    jest.useRealTimers();
  });

  const jobReads = () => server.requestsTo('jobs/a').length;
  const logReads = () => server.requestsTo('jobs/a/log').length;

  it('reads the job and its log while shown, until the job is final', async () => {
    model.setActive(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(model.job?.status).toBe('running');
    expect(model.log.text).toBe('line 1\n');
    expect(model.log.complete).toBe(false);
    expect(jobReads()).toBe(1);

    server.logs.set('a', 'line 1\nline 2\n');
    await jest.advanceTimersByTimeAsync(1000);
    expect(jobReads()).toBe(2);
    // Read by offset: only the new bytes are appended.
    expect(model.log.text).toBe('line 1\nline 2\n');
    expect(server.requestsTo('jobs/a/log').pop()?.url.searchParams.get('offset')).toBe('7');

    server.update('a', { status: 'completed' });
    server.outputs.set('a', [{ name: 'a.ipynb', kind: 'notebook', size: 10, path: 'x/a.ipynb' }]);
    await jest.advanceTimersByTimeAsync(1000);
    expect(model.job?.status).toBe('completed');
    expect(model.outputs.map(o => o.name)).toEqual(['a.ipynb']);
    expect(model.finished).toBe(true);
    // The status changed: the log is read again at once, and is complete now.
    expect(model.log.complete).toBe(true);

    const [jobs, logs] = [jobReads(), logReads()];
    await jest.advanceTimersByTimeAsync(10000);
    expect([jobReads(), logReads()]).toEqual([jobs, logs]);
  });

  it('stands by while hidden and refreshes when shown again', async () => {
    model.setActive(true);
    await jest.advanceTimersByTimeAsync(0);
    model.setActive(false);
    const [jobs, logs] = [jobReads(), logReads()];
    await jest.advanceTimersByTimeAsync(5000);
    expect([jobReads(), logReads()]).toEqual([jobs, logs]);
    model.setActive(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(jobReads()).toBe(jobs + 1);
    expect(logReads()).toBe(logs + 1);
  });

  it('keeps the error and backs off while the server fails', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.999);
    model.setActive(true);
    await jest.advanceTimersByTimeAsync(0);
    server.failAll = { status: 500, body: { message: 'down', reason: 'internal' } };
    const before = jobReads();
    // Without backoff that would be 30 reads; with it 1 s, then about 3 s, 9 s, 27 s.
    await jest.advanceTimersByTimeAsync(30000);
    expect(jobReads() - before).toBeLessThanOrEqual(4);
    expect(model.error).toBe('down');
    server.failAll = null;
    model.setActive(false);
    model.setActive(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(model.error).toBeNull();
    jest.spyOn(Math, 'random').mockRestore();
  });
});
