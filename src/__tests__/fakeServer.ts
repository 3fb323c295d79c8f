/**
 * An in-memory stand-in for the nbjobs REST API, served through the `fetch` of
 * ServerConnection settings. It records every request so tests can check the wire.
 */
import { ServerConnection } from '@jupyterlab/services';

import { IJob, JobStatus } from '../api/types';

export interface IRecorded {
  method: string;
  url: URL;
  body: any;
}

let clock = Date.parse('2026-01-01T00:00:00Z');

/** A job as the server would send it; each call gets a later created/updated time. */
export function makeJob(id: string, patch: Partial<IJob> = {}): IJob {
  clock += 1000;
  const t = new Date(clock).toISOString();
  return {
    id,
    name: `job ${id}`,
    input_path: `${id}.ipynb`,
    kernel_name: 'python3',
    backend: 'local',
    backend_options: {},
    parameters: {},
    output_formats: ['ipynb'],
    package_input_folder: false,
    env: {},
    timeout_seconds: null,
    max_retries: 0,
    tags: [],
    idempotency_key: null,
    schedule_id: null,
    sweep_id: null,
    status: 'queued',
    progress: { cells_done: 0, cells_total: 0 },
    attempts: 0,
    error: null,
    output_path: null,
    created_by: null,
    created_at: t,
    updated_at: t,
    started_at: null,
    ended_at: null,
    ...patch
  };
}

export class FakeServer {
  jobs = new Map<string, IJob>();
  requests: IRecorded[] = [];
  /** Set to answer the next request with this status and body. */
  failNext: { status: number; body: any } | null = null;

  add(job: IJob): IJob {
    this.jobs.set(job.id, job);
    return job;
  }

  /** Change a job the way the server would: a new updated_at. */
  update(id: string, patch: Partial<IJob>): IJob {
    clock += 1000;
    const job = {
      ...this.jobs.get(id)!,
      ...patch,
      updated_at: new Date(clock).toISOString()
    };
    this.jobs.set(id, job);
    return job;
  }

  settings(): ServerConnection.ISettings {
    return ServerConnection.makeSettings({
      baseUrl: 'http://localhost:8888/lab-base/',
      token: 'secret-token',
      fetch: (input: RequestInfo, init?: RequestInit) =>
        this.handle(input as Request, init)
    } as any);
  }

  private async handle(input: Request, init?: RequestInit): Promise<Response> {
    const url = new URL(typeof input === 'string' ? input : input.url);
    const method = (init?.method ?? (input as Request).method ?? 'GET').toUpperCase();
    let body: any = undefined;
    const raw = init?.body ?? (typeof input !== 'string' ? await input.text() : '');
    if (raw) {
      body = JSON.parse(String(raw));
    }
    this.requests.push({ method, url, body });
    if (this.failNext) {
      const { status, body: errorBody } = this.failNext;
      this.failNext = null;
      return json(status, errorBody);
    }
    const path = url.pathname.replace('/lab-base/nbjobs/', '');
    if (path === 'jobs' && method === 'GET') {
      return json(200, this.list(url.searchParams));
    }
    const match = /^jobs\/([^/]+)$/.exec(path);
    if (match && method === 'GET') {
      const job = this.jobs.get(decodeURIComponent(match[1]));
      return job
        ? json(200, job)
        : json(404, { message: 'no such job', reason: 'not_found' });
    }
    if (match && method === 'DELETE') {
      this.jobs.delete(decodeURIComponent(match[1]));
      return new Response(null, { status: 204 });
    }
    return json(404, { message: `no route ${method} ${path}`, reason: 'not_found' });
  }

  private list(q: URLSearchParams): { jobs: IJob[]; next_cursor: string | null } {
    let jobs = Array.from(this.jobs.values());
    const statuses = (q.get('status') ?? '').split(',').filter(Boolean);
    if (statuses.length) {
      jobs = jobs.filter(j => statuses.includes(j.status));
    }
    const name = q.get('name');
    if (name) {
      jobs = jobs.filter(j => j.name.toLowerCase().includes(name.toLowerCase()));
    }
    const since = q.get('updated_since');
    if (since) {
      jobs = jobs.filter(j => Date.parse(j.updated_at) > Date.parse(since));
    }
    jobs.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
    const start = Number(q.get('cursor') ?? 0);
    const limit = Number(q.get('limit') ?? 50);
    const page = jobs.slice(start, start + limit);
    const next = start + limit < jobs.length ? String(start + limit) : null;
    return { jobs: page, next_cursor: next };
  }
}

function json(status: number, body: any): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' }
  });
}

export function statuses(jobs: readonly IJob[]): JobStatus[] {
  return jobs.map(j => j.status);
}
