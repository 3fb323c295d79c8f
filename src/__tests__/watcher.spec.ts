/**
 * @jest-environment node
 */
import { NbJobsClient } from '../api/client';
import { IJob } from '../api/types';
import { JobWatcher } from '../model/watcher';
import { FakeServer, makeJob } from './fakeServer';

describe('JobWatcher', () => {
  let server: FakeServer;
  let watcher: JobWatcher;
  let finished: IJob[];

  beforeEach(() => {
    server = new FakeServer();
    watcher = new JobWatcher(new NbJobsClient({ serverSettings: server.settings() }), () => 1000);
    finished = [];
    watcher.finished.connect((_, job) => finished.push(job));
  });

  afterEach(() => {
    watcher.dispose();
    jest.useRealTimers();
  });

  it('emits once when a watched job becomes final, then stops asking', async () => {
    const job = server.add(makeJob('a', { status: 'running' }));
    watcher.watch(job);
    await watcher.check();
    expect(finished).toHaveLength(0);
    server.update('a', { status: 'completed' });
    await watcher.check();
    await watcher.check();
    expect(finished.map(j => [j.id, j.status])).toEqual([['a', 'completed']]);
    expect(watcher.watching).toBe(0);
  });

  it('forgets a job deleted elsewhere', async () => {
    const job = server.add(makeJob('gone', { status: 'queued' }));
    watcher.watch(job);
    server.jobs.delete('gone');
    await watcher.check();
    expect(watcher.watching).toBe(0);
    expect(finished).toHaveLength(0);
  });

  it('polls on its own timer until nothing is left', async () => {
    jest.useFakeTimers();
    const job = server.add(makeJob('t', { status: 'running' }));
    watcher.watch(job);
    await jest.advanceTimersByTimeAsync(1000);
    expect(server.requests).toHaveLength(1);
    server.update('t', { status: 'failed' });
    await jest.advanceTimersByTimeAsync(1000);
    expect(finished.map(j => j.status)).toEqual(['failed']);
    await jest.advanceTimersByTimeAsync(5000);
    expect(server.requests).toHaveLength(2);
  });

  it('reports an already final job at once', () => {
    watcher.watch(makeJob('done', { status: 'stopped' }));
    expect(finished.map(j => j.id)).toEqual(['done']);
  });
});
