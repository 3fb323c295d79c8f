/**
 * @jest-environment node
 */
import { ApiError, NbJobsClient } from '../api/client';
import { InstancesClient } from '../api/instances';
import { InstancesFake, makeInstance, makeProject } from './instancesFake';

describe('InstancesClient', () => {
  let server: InstancesFake;
  let client: InstancesClient;

  beforeEach(() => {
    server = new InstancesFake();
    server.addProject(makeProject('vision', { members: ['alice'] }));
    client = new InstancesClient(new NbJobsClient({ serverSettings: server.settings() }));
  });

  it('lists my instances or a project with the query the API takes', async () => {
    server.add(makeInstance('a'));
    server.add(makeInstance('b', { owner: 'bob' }));
    expect((await client.listInstances({ mine: true })).map(i => i.name)).toEqual(['a']);
    expect((await client.listInstances({ project: 'vision' })).map(i => i.name)).toEqual([
      'a',
      'b'
    ]);
    const [mine, project] = server.requestsTo('instances');
    expect(mine.url.search).toBe('?mine=true');
    expect(project.url.search).toBe('?project=vision');
  });

  it('sends each action to its route with the body the spec wants', async () => {
    server.add(makeInstance('lab-1'));
    await client.startInstance('lab-1');
    await client.stopInstance('lab-1');
    await client.updateInstance('lab-1', { instance_type: 'ml.t3.large', stop_time: null });
    await client.deleteInstance('lab-1');
    await client.instanceLabUrl('lab-1');
    await client.instanceOptions('vision');
    const wire = server.requests.map(r => `${r.method} ${r.url.pathname}${r.url.search}`);
    expect(wire).toEqual([
      'POST /lab-base/nbjobs/instances/lab-1/start',
      'POST /lab-base/nbjobs/instances/lab-1/stop',
      'PATCH /lab-base/nbjobs/instances/lab-1',
      'DELETE /lab-base/nbjobs/instances/lab-1',
      'GET /lab-base/nbjobs/instances/lab-1/url',
      'GET /lab-base/nbjobs/instances/options?project=vision'
    ]);
    expect(server.requests[2].body).toEqual({ instance_type: 'ml.t3.large', stop_time: null });
  });

  it('pages logs with cursor and limit, leaving out what is not set', async () => {
    server.add(makeInstance('lab-1'));
    await client.instanceLogs('lab-1', { limit: 10, cursor: null });
    await client.instanceLogs('lab-1', { start: '2026-12-01T09:00:00.000Z', cursor: '5' });
    const [first, second] = server.requestsTo('instances/lab-1/logs');
    expect(first.url.search).toBe('?limit=10');
    expect(second.url.searchParams.get('start')).toBe('2026-12-01T09:00:00.000Z');
    expect(second.url.searchParams.get('cursor')).toBe('5');
  });

  it('turns an error body into an ApiError with its field', async () => {
    server.add(makeInstance('lab-1'));
    server.failNext = {
      status: 403,
      body: { message: 'not allowed', reason: 'override_not_allowed', field: 'stop_time' }
    };
    const error = (await client
      .createInstance({ name: 'x', project: 'vision', stop_time: '18:00' })
      .catch(e => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect([error.status, error.reason, error.field]).toEqual([
      403,
      'override_not_allowed',
      'stop_time'
    ]);
  });

  it('encodes names in paths and reads projects and me', async () => {
    await client.getProject('a/b').catch(() => undefined);
    expect(server.requests[0].url.pathname).toBe('/lab-base/nbjobs/projects/a%2Fb');
    const me = await client.me();
    expect(me.projects).toEqual([{ name: 'vision', role: 'member', suspended: false }]);
    const created = await client.createProject({ name: 'nlp', stop_time: '18:30' });
    expect(created.name).toBe('nlp');
    await client.updateProject('nlp', { suspended: true });
    await client.deleteProject('nlp');
    expect(server.projects.has('nlp')).toBe(false);
  });
});
