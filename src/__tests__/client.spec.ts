/**
 * @jest-environment node
 */
import { ApiError, NbJobsClient } from '../api/client';
import { FakeServer, makeJob } from './fakeServer';

describe('NbJobsClient', () => {
  let server: FakeServer;
  let client: NbJobsClient;

  beforeEach(() => {
    server = new FakeServer();
    client = new NbJobsClient({ serverSettings: server.settings() });
  });

  it('builds URLs under {base_url}/nbjobs and drops empty query values', () => {
    expect(client.url('jobs')).toBe('http://localhost:8888/lab-base/nbjobs/jobs');
    expect(
      client.url('jobs', {
        status: ['running', 'queued'],
        name: '',
        cursor: null,
        limit: 5
      })
    ).toBe('http://localhost:8888/lab-base/nbjobs/jobs?status=running%2Cqueued&limit=5');
  });

  it('lists jobs with filters on the wire', async () => {
    server.add(makeJob('a', { status: 'running', name: 'Alpha' }));
    server.add(makeJob('b', { status: 'completed', name: 'Beta' }));
    const page = await client.listJobs({ status: ['running'], sort: '-created_at' });
    expect(page.jobs.map(j => j.id)).toEqual(['a']);
    const sent = server.requests[0];
    expect(sent.method).toBe('GET');
    expect(sent.url.searchParams.get('status')).toBe('running');
    expect(sent.url.searchParams.get('sort')).toBe('-created_at');
  });

  it('sends JSON bodies for creates and bulk actions', async () => {
    await expect(
      client.createJob({ input_path: 'x.ipynb', parameters: { n: 3, xs: [1, 2] } })
    ).rejects.toBeInstanceOf(ApiError);
    const sent = server.requests[0];
    expect(sent.method).toBe('POST');
    expect(sent.url.pathname).toBe('/lab-base/nbjobs/jobs');
    expect(sent.body).toEqual({ input_path: 'x.ipynb', parameters: { n: 3, xs: [1, 2] } });

    await client.bulkStop(['a', 'b']).catch(() => undefined);
    expect(server.requests[1].url.pathname).toBe('/lab-base/nbjobs/jobs/bulk/stop');
    expect(server.requests[1].body).toEqual({ ids: ['a', 'b'] });
  });

  it('turns error bodies into ApiError with status, reason and field', async () => {
    server.failNext = {
      status: 400,
      body: { message: 'parameters: bad name', reason: 'invalid_value', field: 'parameters' }
    };
    const error = await client.createJob({ input_path: 'x.ipynb' }).catch(e => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.reason).toBe('invalid_value');
    expect(error.field).toBe('parameters');
    expect(error.message).toBe('parameters: bad name');
  });

  it('returns nothing for 204 and encodes ids in paths', async () => {
    server.add(makeJob('a/b'));
    await expect(client.deleteJob('a/b')).resolves.toBeUndefined();
    expect(server.requests[0].url.pathname).toBe('/lab-base/nbjobs/jobs/a%2Fb');
    expect(server.jobs.size).toBe(0);
    const missing = await client.getJob('nope').catch(e => e);
    expect(missing.status).toBe(404);
    expect(missing.reason).toBe('not_found');
  });

  it('makes output and log URLs', async () => {
    expect(client.outputUrl('j1', 'files/out put.csv', true)).toBe(
      'http://localhost:8888/lab-base/nbjobs/jobs/j1/outputs/files/out%20put.csv?download=1'
    );
    await client.getLog('j1', { offset: 10 }).catch(() => undefined);
    expect(server.requests[0].url.searchParams.get('offset')).toBe('10');
  });

  it('sends the token', async () => {
    let auth: string | null = null;
    const settings = server.settings();
    const inner = settings.fetch;
    (settings as any).fetch = (input: Request, init?: RequestInit) => {
      auth = new Headers(init?.headers ?? input.headers).get('Authorization');
      return inner(input, init);
    };
    await new NbJobsClient({ serverSettings: settings }).listJobs();
    expect(auth).toBe('token secret-token');
  });
});
