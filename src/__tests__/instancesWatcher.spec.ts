/**
 * @jest-environment node
 */
import { NbJobsClient } from '../api/client';
import { InstancesClient } from '../api/instances';
import { IInstanceEvent, InstanceWatcher } from '../model/instanceWatcher';
import { InstancesFake, makeInstance, makeProject } from './instancesFake';

describe('InstanceWatcher', () => {
  let server: InstancesFake;
  let watcher: InstanceWatcher;
  let events: [string, string][];

  beforeEach(() => {
    server = new InstancesFake();
    server.addProject(makeProject('vision'));
    const client = new InstancesClient(new NbJobsClient({ serverSettings: server.settings() }));
    watcher = new InstanceWatcher(client, () => 1000);
    events = [];
    watcher.event.connect((_, e: IInstanceEvent) => events.push([e.kind, e.instance.name]));
  });

  afterEach(() => {
    watcher.dispose();
    jest.useRealTimers();
  });

  it('tells once when a started instance is in service, then when auto-stop stops it', async () => {
    watcher.watch(server.add(makeInstance('lab-1', { status: 'Pending' })));
    await watcher.check();
    expect(events).toEqual([]);
    // Its daily stop time has come by the time it stops.
    server.setStatus('lab-1', 'InService', { next_stop_at: new Date(Date.now() + 1000).toISOString() });
    await watcher.check();
    await watcher.check();
    expect(events).toEqual([['in-service', 'lab-1']]);
    server.setStatus('lab-1', 'Stopping');
    await watcher.check();
    server.setStatus('lab-1', 'Stopped');
    await watcher.check();
    expect(events).toEqual([
      ['in-service', 'lab-1'],
      ['auto-stopped', 'lab-1']
    ]);
    expect(watcher.watching).toEqual([]);
  });

  it('says nothing of a stop asked from here, and tells a failure', async () => {
    watcher.watch(server.add(makeInstance('a', { status: 'Pending' })));
    watcher.watch(server.add(makeInstance('b', { status: 'Pending' })));
    server.setStatus('a', 'InService');
    server.setStatus('b', 'Failed', { failure_reason: 'no capacity' });
    await watcher.check();
    watcher.stopAsked('a');
    server.setStatus('a', 'Stopped');
    await watcher.check();
    expect(events.sort()).toEqual([
      ['failed', 'b'],
      ['in-service', 'a']
    ]);
    expect(watcher.watching).toEqual([]);
  });

  it('tells a stop by someone else before the stop time apart from an auto-stop', async () => {
    const later = new Date(Date.now() + 3600000).toISOString();
    watcher.watch(server.add(makeInstance('x', { status: 'Pending' })));
    server.setStatus('x', 'InService', { next_stop_at: later });
    await watcher.check();
    server.setStatus('x', 'Stopped');
    await watcher.check();
    expect(events).toEqual([
      ['in-service', 'x'],
      ['stopped', 'x']
    ]);
    // With an idle stop set, an early stop is the server's.
    watcher.watch(server.add(makeInstance('idle', { status: 'Pending' })));
    server.setStatus('idle', 'InService', { next_stop_at: later, idle_stop_minutes: 30 });
    await watcher.check();
    server.setStatus('idle', 'Stopped');
    await watcher.check();
    expect(events.slice(2)).toEqual([
      ['in-service', 'idle'],
      ['auto-stopped', 'idle']
    ]);
  });

  it('forgets a deleted instance', async () => {
    watcher.watch(server.add(makeInstance('gone', { status: 'Pending' })));
    server.instances.delete('gone');
    await watcher.check();
    expect(watcher.watching).toEqual([]);
    expect(events).toEqual([]);
  });

  it('looks quickly while one is transitional, then once a minute while in service', async () => {
    jest.useFakeTimers();
    watcher.watch(server.add(makeInstance('t', { status: 'Pending' })));
    const reads = () => server.requestsTo('instances/t').length;
    await jest.advanceTimersByTimeAsync(1000);
    expect(reads()).toBe(1);
    server.setStatus('t', 'InService');
    await jest.advanceTimersByTimeAsync(1000);
    expect(reads()).toBe(2);
    expect(events).toEqual([['in-service', 't']]);
    await jest.advanceTimersByTimeAsync(30000);
    expect(reads()).toBe(2);
    await jest.advanceTimersByTimeAsync(31000);
    expect(reads()).toBe(3);
  });
});
