import { ServerConnection } from '@jupyterlab/services';

import { NbJobsClient } from '../api/client';
import { IComparison } from '../api/types';
import { groupSweeps, runLabel, sweepName } from '../components/SweepGroup';
import { ComparisonModel, showValue } from '../model/comparison';
import { makeJob } from './fakeServer';

const settings = { baseUrl: 'http://localhost:8888/base/' } as ServerConnection.ISettings;

describe('a sweep in the job list', () => {
  const a1 = makeJob('a1', { name: 'train [lr=0.1, seed=7]', sweep_id: 's', parameters: { lr: 0.1, seed: 7 } });
  const a2 = makeJob('a2', { name: 'train [lr=0.2, seed=7]', sweep_id: 's', parameters: { lr: 0.2, seed: 7 } });
  const lone = makeJob('x', { name: 'alone' });

  it('gathers its runs where the first of them is', () => {
    const items = groupSweeps([a1, lone, a2]);
    expect(items.map(i => (i.kind === 'job' ? i.job.id : `sweep:${i.id}`))).toEqual([
      'sweep:s',
      'x'
    ]);
    expect(items[0].kind === 'sweep' && items[0].jobs.map(j => j.id)).toEqual(['a1', 'a2']);
  });

  it("names each run by the values that tell it apart, the group by the sweep's name", () => {
    expect(sweepName([a1, a2])).toBe('train');
    expect(runLabel(a1, [a1, a2])).toBe('lr=0.1');
    // Only one run known: every value.
    expect(runLabel(a1, [a1])).toBe('lr=0.1, seed=7');
  });
});

describe('ComparisonModel', () => {
  const comparison: IComparison = {
    parameters: ['lr', 'seed'],
    varied: ['lr'],
    values: ['score'],
    truncated: false,
    runs: [
      { job: makeJob('r1', { status: 'completed', parameters: { lr: 0.1, seed: 7 } }), values: { score: 10 }, duration_seconds: 2, notebook_path: 'o/1.ipynb' },
      { job: makeJob('r2', { status: 'completed', parameters: { lr: 0.3, seed: 7 } }), values: { score: 2 }, duration_seconds: 1, notebook_path: 'o/2.ipynb' },
      { job: makeJob('r3', { status: 'failed', parameters: { lr: 0.2, seed: 7 } }), values: {}, duration_seconds: 3, notebook_path: null }
    ]
  };

  it('reads the comparison and sorts by any column, missing values last', async () => {
    const client = new NbJobsClient({ serverSettings: settings });
    const read = jest.spyOn(client, 'getComparison').mockResolvedValue(comparison);
    const model = new ComparisonModel({ client, of: { sweepId: 's' }, interval: 1000 });
    await model.refresh();
    expect(read).toHaveBeenCalledWith({ sweepId: 's' });
    // Every run of a sweep is final: nothing left to follow.
    expect(model.finished).toBe(true);
    expect(model.runs.map(r => r.job.id)).toEqual(['r1', 'r2', 'r3']);

    model.sortBy({ kind: 'value', name: 'score' });
    expect(model.runs.map(r => r.job.id)).toEqual(['r2', 'r1', 'r3']);
    model.sortBy({ kind: 'value', name: 'score' });
    expect(model.sort.descending).toBe(true);
    expect(model.runs.map(r => r.job.id)).toEqual(['r1', 'r2', 'r3']);

    model.sortBy({ kind: 'param', name: 'lr' });
    expect(model.runs.map(r => r.job.id)).toEqual(['r1', 'r3', 'r2']);
    model.sortBy({ kind: 'duration' });
    expect(model.runs.map(r => r.job.id)).toEqual(['r2', 'r1', 'r3']);
    model.dispose();
  });

  it('asks the schedule route for a schedule', () => {
    const client = new NbJobsClient({ serverSettings: settings });
    const request = jest.spyOn(client, 'request').mockResolvedValue(comparison);
    void client.getComparison({ scheduleId: 'a b' });
    expect(request).toHaveBeenCalledWith(
      'GET',
      'http://localhost:8888/base/nbjobs/schedules/a%20b/comparison'
    );
    expect(client.archiveUrl('j')).toBe('http://localhost:8888/base/nbjobs/jobs/j/archive');
  });

  it('shows values short', () => {
    expect(showValue(0.1 + 0.2)).toBe('0.3');
    expect(showValue(3)).toBe('3');
    expect(showValue({ a: 1 })).toBe('{"a":1}');
    expect(showValue(undefined)).toBe('');
    expect(showValue('x'.repeat(100)).length).toBe(80);
  });
});
