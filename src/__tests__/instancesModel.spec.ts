/**
 * @jest-environment node
 */
import { NbJobsClient } from '../api/client';
import { InstancesClient } from '../api/instances';
import { InstanceDetailModel } from '../model/instanceDetail';
import { InstanceListModel } from '../model/instances';
import { InstancesFake, logEvent, makeInstance, makeProject } from './instancesFake';

function setup() {
  const server = new InstancesFake();
  server.addProject(makeProject('vision', { members: ['alice', 'bob'] }));
  server.addProject(makeProject('nlp', { owners: ['alice'], suspended: true }));
  const client = new InstancesClient(new NbJobsClient({ serverSettings: server.settings() }));
  return { server, client };
}

describe('InstanceListModel', () => {
  let server: InstancesFake;
  let model: InstanceListModel;

  beforeEach(() => {
    jest.useFakeTimers();
    const made = setup();
    server = made.server;
    model = new InstanceListModel({ client: made.client, interval: 1000 });
  });

  afterEach(() => {
    model.dispose();
    jest.useRealTimers();
  });

  const listReads = () => server.requestsTo('instances').length;

  it('polls while an instance is transitional, then stops', async () => {
    server.add(makeInstance('lab-1', { status: 'Pending' }));
    model.setActive(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(model.instances?.map(i => i.status)).toEqual(['Pending']);
    expect(model.transitional).toBe(true);
    await jest.advanceTimersByTimeAsync(1000);
    expect(listReads()).toBe(2);
    server.setStatus('lab-1', 'InService');
    await jest.advanceTimersByTimeAsync(1000);
    expect(model.instances?.[0].status).toBe('InService');
    expect(model.instances?.[0].actions).toEqual(['stop', 'open', 'set_stop_time', 'logs']);
    expect(model.finished).toBe(true);
    const reads = listReads();
    await jest.advanceTimersByTimeAsync(20000);
    expect(listReads()).toBe(reads);
  });

  it('never polls while hidden, and reads once when shown again', async () => {
    server.add(makeInstance('lab-1', { status: 'Pending' }));
    model.setActive(true);
    await jest.advanceTimersByTimeAsync(0);
    model.setActive(false);
    const reads = listReads();
    await jest.advanceTimersByTimeAsync(10000);
    expect(listReads()).toBe(reads);
    server.setStatus('lab-1', 'Stopped');
    model.setActive(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(listReads()).toBe(reads + 1);
    expect(model.finished).toBe(true);
    // Settled: hidden and shown again, it reads once more (someone else may have changed it).
    model.setActive(false);
    model.setActive(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(listReads()).toBe(reads + 2);
  });

  it('shows my instances or a project, with my role in it', async () => {
    server.add(makeInstance('mine'));
    server.add(makeInstance('bobs', { owner: 'bob' }));
    server.add(makeInstance('other', { project: 'nlp', owner: 'carol' }));
    model.setActive(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(model.view).toBe('mine');
    expect(model.instances?.map(i => i.name)).toEqual(['mine']);
    model.setView('project');
    await jest.advanceTimersByTimeAsync(0);
    expect(model.project).toBe('vision');
    expect(model.instances?.map(i => i.name)).toEqual(['bobs', 'mine']);
    // A member who is not the owner may not start or open bob's instance.
    expect(model.instances?.[0].actions).not.toContain('start');
    model.setProject('nlp');
    await jest.advanceTimersByTimeAsync(0);
    expect(model.instances?.map(i => i.name)).toEqual(['other']);
    expect(model.projectInfo).toEqual({ name: 'nlp', role: 'owner', suspended: true });
  });

  it('shows an action answer at once and follows it', async () => {
    server.add(makeInstance('lab-1', { status: 'Stopped' }));
    model.setActive(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(model.finished).toBe(true);
    server.setStatus('lab-1', 'Pending');
    model.upsert({ ...model.instances![0], status: 'Pending' });
    expect(model.instances?.[0].status).toBe('Pending');
    await jest.advanceTimersByTimeAsync(0);
    expect(model.finished).toBe(false);
    server.setStatus('lab-1', 'InService');
    await jest.advanceTimersByTimeAsync(1000);
    expect(model.instances?.[0].status).toBe('InService');
    // An instance of someone else's is not added to "My instances".
    model.upsert(makeInstance('bobs', { owner: 'bob', status: 'Stopped' }));
    expect(model.instances?.map(i => i.name)).toEqual(['lab-1']);
  });
});

describe('InstanceDetailModel and its log', () => {
  let server: InstancesFake;
  let model: InstanceDetailModel;

  beforeEach(() => {
    jest.useFakeTimers();
    const made = setup();
    server = made.server;
    server.add(makeInstance('lab-1', { status: 'Pending' }));
    server.logs.set(
      'lab-1',
      Array.from({ length: 25 }, (_, n) => logEvent(n))
    );
    model = new InstanceDetailModel({
      client: made.client,
      name: 'lab-1',
      interval: 1000,
      logPageSize: 10
    });
  });

  afterEach(() => {
    model.dispose();
    jest.useRealTimers();
  });

  const messages = () => model.log.events.map(e => e.message);

  it('shows the newest page, newest last, and loads older pages before it', async () => {
    model.setActive(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(messages()).toEqual(Array.from({ length: 10 }, (_, n) => `event ${n + 15}`));
    expect(model.log.hasOlder).toBe(true);
    await model.log.loadOlder();
    expect(messages()[0]).toBe('event 5');
    await model.log.loadOlder();
    expect(messages()).toHaveLength(25);
    expect(messages()[0]).toBe('event 0');
    expect(model.log.hasOlder).toBe(false);
  });

  it('follows new events while Pending, without repeating any, and stops in service', async () => {
    model.setActive(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(model.log.follow).toBe(true);
    server.logs.get('lab-1')!.push(logEvent(25), logEvent(26));
    await jest.advanceTimersByTimeAsync(1000);
    expect(messages().slice(-3)).toEqual(['event 24', 'event 25', 'event 26']);
    const last = server.requestsTo('instances/lab-1/logs').pop()!;
    expect(last.url.searchParams.get('start')).toBe(logEvent(24).timestamp);
    expect(new Set(messages()).size).toBe(messages().length);

    server.setStatus('lab-1', 'InService');
    server.logs.get('lab-1')!.push(logEvent(27));
    await jest.advanceTimersByTimeAsync(1000);
    expect(model.instance?.status).toBe('InService');
    expect(model.finished).toBe(true);
    // The status change reads the log once more, then it stops following.
    await jest.advanceTimersByTimeAsync(0);
    expect(messages().pop()).toBe('event 27');
    expect(model.log.follow).toBe(false);
    const reads = server.requests.length;
    await jest.advanceTimersByTimeAsync(10000);
    expect(server.requests.length).toBe(reads);
  });

  it('catches up on more new events than a page holds', async () => {
    model.setActive(true);
    await jest.advanceTimersByTimeAsync(0);
    server.logs.get('lab-1')!.push(...Array.from({ length: 15 }, (_, n) => logEvent(25 + n)));
    await jest.advanceTimersByTimeAsync(1000);
    expect(messages()).toHaveLength(25);
    expect(messages().slice(-1)).toEqual(['event 39']);
    expect(new Set(messages()).size).toBe(25);
  });

  it('knows when the instance is gone', async () => {
    model.setActive(true);
    await jest.advanceTimersByTimeAsync(0);
    server.instances.delete('lab-1');
    await jest.advanceTimersByTimeAsync(1000);
    expect(model.gone).toBe(true);
    expect(model.finished).toBe(true);
  });
});
