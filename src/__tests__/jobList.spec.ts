/**
 * @jest-environment node
 */
import { NbJobsClient } from '../api/client';
import { IJobTransition, JobListModel } from '../model/jobList';
import { FakeServer, makeJob } from './fakeServer';

describe('JobListModel', () => {
  let server: FakeServer;
  let model: JobListModel;

  beforeEach(() => {
    server = new FakeServer();
    const client = new NbJobsClient({ serverSettings: server.settings() });
    model = new JobListModel({ client, interval: 1000, pageSize: 2, fullRefreshEvery: 5 });
  });

  afterEach(() => {
    model.dispose();
    jest.useRealTimers();
  });

  it('loads the first page newest first and appends the next with the cursor', async () => {
    for (const id of ['a', 'b', 'c']) {
      server.add(makeJob(id));
    }
    await model.refresh();
    expect(model.jobs.map(j => j.id)).toEqual(['c', 'b']);
    expect(model.hasMore).toBe(true);
    await model.loadMore();
    expect(model.jobs.map(j => j.id)).toEqual(['c', 'b', 'a']);
    expect(model.hasMore).toBe(false);
    expect(server.requests[1].url.searchParams.get('cursor')).toBe('2');
  });

  it('polls with updated_since and merges changes in place', async () => {
    server.add(makeJob('a', { status: 'running' }));
    server.add(makeJob('b', { status: 'queued' }));
    await model.refresh();
    const newest = model.jobs[0].updated_at;
    server.update('a', { status: 'completed', progress: { cells_done: 3, cells_total: 3 } });
    await model.poll();
    const sent = server.requests[server.requests.length - 1];
    expect(sent.url.searchParams.get('updated_since')).toBe(newest);
    expect(model.jobs.find(j => j.id === 'a')?.status).toBe('completed');
    expect(model.jobs.map(j => j.id)).toEqual(['b', 'a']);
  });

  it('drops jobs that leave the status filter and adds new matching ones', async () => {
    server.add(makeJob('a', { status: 'running' }));
    server.add(makeJob('b', { status: 'completed' }));
    await model.setFilter({ statuses: ['running'] });
    expect(model.jobs.map(j => j.id)).toEqual(['a']);
    server.update('a', { status: 'failed' });
    server.add(makeJob('c', { status: 'running' }));
    await model.poll();
    expect(model.jobs.map(j => j.id)).toEqual(['c']);
  });

  it('emits jobFinished once when a running job becomes final', async () => {
    server.add(makeJob('a', { status: 'running' }));
    const seen: IJobTransition[] = [];
    model.jobFinished.connect((_, t) => seen.push(t));
    await model.refresh();
    server.update('a', { status: 'failed' });
    await model.poll();
    await model.poll();
    await model.refresh();
    expect(seen.map(t => [t.previous, t.job.status])).toEqual([['running', 'failed']]);
  });

  it('notices deletions elsewhere on its periodic full refresh', async () => {
    server.add(makeJob('a'));
    server.add(makeJob('b'));
    await model.refresh();
    server.jobs.delete('a');
    for (let i = 0; i < 4; i++) {
      await model.poll();
      expect(model.jobs).toHaveLength(2);
    }
    await model.poll();
    expect(model.jobs.map(j => j.id)).toEqual(['b']);
  });

  it('polls only while active', async () => {
    jest.useFakeTimers();
    server.add(makeJob('a', { status: 'running' }));
    const count = () => server.requests.length;
    model.setActive(true);
    await flush();
    expect(count()).toBe(1);
    await jest.advanceTimersByTimeAsync(1000);
    expect(count()).toBe(2);
    await jest.advanceTimersByTimeAsync(1000);
    expect(count()).toBe(3);
    model.setActive(false);
    await jest.advanceTimersByTimeAsync(10000);
    expect(count()).toBe(3);
    model.setActive(true);
    await flush();
    expect(count()).toBe(4);
  });

  it('keeps the last error and clears it on success', async () => {
    server.failNext = { status: 500, body: { message: 'boom', reason: 'internal' } };
    await model.refresh();
    expect(model.error).toBe('boom');
    await model.refresh();
    expect(model.error).toBeNull();
  });

  it('upsert and remove change the list without a request', () => {
    const job = makeJob('x', { status: 'queued' });
    model.upsert(job);
    expect(model.jobs.map(j => j.id)).toEqual(['x']);
    model.remove(['x']);
    expect(model.jobs).toHaveLength(0);
    expect(server.requests).toHaveLength(0);
  });
});

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await Promise.resolve();
  }
  await jest.advanceTimersByTimeAsync(0);
}
