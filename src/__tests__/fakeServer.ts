/**
 * An in-memory stand-in for the nbjobs REST API, served through the `fetch` of
 * ServerConnection settings. It records every request so tests can check the wire.
 */
import { ServerConnection } from '@jupyterlab/services';

import {
  IEnvironments,
  IJob,
  INotebookParameters,
  IOutputFile,
  ISchedule,
  JobStatus
} from '../api/types';

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
    redacted: [],
    ...patch
  };
}

/** A schedule as the server would send it. */
export function makeSchedule(id: string, patch: Partial<ISchedule> = {}): ISchedule {
  clock += 1000;
  const t = new Date(clock).toISOString();
  return {
    id,
    name: `schedule ${id}`,
    input_path: `${id}.ipynb`,
    kernel_name: null,
    backend: 'local',
    backend_options: {},
    parameters: {},
    output_formats: ['ipynb'],
    package_input_folder: false,
    env: {},
    timeout_seconds: null,
    max_retries: 0,
    tags: [],
    cron: '0 9 * * *',
    cron_description: 'At 09:00',
    timezone: 'UTC',
    start_at: null,
    end_at: null,
    active: true,
    overlap_policy: 'skip',
    catchup_policy: 'once',
    catchup_limit: 10,
    next_fire_at: null,
    next_fire_times: [],
    last_runs: [],
    recent_fires: [],
    trigger_handle: null,
    trigger_runs: [],
    snapshot_at: t,
    created_by: null,
    created_at: t,
    updated_at: t,
    warnings: [],
    redacted: [],
    ...patch
  };
}

export class FakeServer {
  jobs = new Map<string, IJob>();
  schedules = new Map<string, ISchedule>();
  /** Each job's log text; `complete` once the job is final and the log was read. */
  logs = new Map<string, string>();
  outputs = new Map<string, IOutputFile[]>();
  /** The parameters cell of each notebook path (GET parameters). */
  notebooks = new Map<string, INotebookParameters>();
  /** What GET environments answers; null answers 503, as a server whose kernels cannot be listed. */
  environments: IEnvironments | null = {
    kernels: [{ name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' }],
    default_kernel: 'python3',
    output_formats: [{ name: 'ipynb', label: 'Notebook' }],
    backends: [{ name: 'local', label: 'Local', default: true, options: {} }]
  } as unknown as IEnvironments;
  requests: IRecorded[] = [];
  /** Set to answer the next request with this status and body. */
  failNext: { status: number; body: any } | null = null;
  /** Set to answer every request with this status and body (a broken server). */
  failAll: { status: number; body: any } | null = null;

  /** Requests whose path (under nbjobs/) is exactly `path`. */
  requestsTo(path: string): IRecorded[] {
    return this.requests.filter(r => r.url.pathname === `/lab-base/nbjobs/${path}`);
  }

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
    if (this.failNext || this.failAll) {
      const { status, body: errorBody } = (this.failNext ?? this.failAll)!;
      this.failNext = null;
      return json(status, errorBody);
    }
    const path = url.pathname.replace('/lab-base/nbjobs/', '');
    const answer = this.route(method, path, url.searchParams, body);
    if (answer) {
      return answer;
    }
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

  /** Schedules, logs and outputs; undefined for the job routes below. */
  private route(
    method: string,
    path: string,
    q: URLSearchParams,
    body: any
  ): Response | undefined {
    const missing = () => json(404, { message: `no ${path}`, reason: 'not_found' });
    if (path === 'cron/validate' && method === 'POST') {
      if (body.cron === 'bad') {
        return json(400, { message: 'cron: bad', reason: 'invalid_value', field: 'cron' });
      }
      const next = [1, 2, 3, 4, 5].map(i => `2026-01-0${i}T09:00:00Z`);
      return json(200, { ...body, description: '', next_fire_times: next });
    }
    if (path === 'environments' && method === 'GET') {
      return this.environments
        ? json(200, this.environments)
        : json(503, { message: 'kernels unavailable', reason: 'backend_unavailable' });
    }
    if (path === 'parameters' && method === 'GET') {
      const found = this.notebooks.get(q.get('path') ?? '');
      return found ? json(200, found) : missing();
    }
    if (path === 'schedules' && method === 'GET') {
      return json(200, { schedules: Array.from(this.schedules.values()) });
    }
    const schedule = /^schedules\/([^/]+)$/.exec(path);
    if (schedule) {
      const id = decodeURIComponent(schedule[1]);
      const found = this.schedules.get(id);
      if (!found) {
        return missing();
      }
      if (method === 'PATCH') {
        this.schedules.set(id, { ...found, ...body });
      }
      return json(200, this.schedules.get(id));
    }
    const log = /^jobs\/([^/]+)\/log$/.exec(path);
    if (log && method === 'GET') {
      const id = decodeURIComponent(log[1]);
      const job = this.jobs.get(id);
      if (!job) {
        return missing();
      }
      const text = this.logs.get(id) ?? '';
      const offset = Number(q.get('offset') ?? 0);
      const final = ['completed', 'failed', 'stopped'].includes(job.status);
      return json(200, {
        text: text.slice(offset),
        offset: text.length,
        size: text.length,
        complete: final
      });
    }
    const outputs = /^jobs\/([^/]+)\/outputs$/.exec(path);
    if (outputs && method === 'GET') {
      return json(200, { outputs: this.outputs.get(decodeURIComponent(outputs[1])) ?? [] });
    }
    return undefined;
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
    const schedule = q.get('schedule_id');
    if (schedule) {
      jobs = jobs.filter(j => j.schedule_id === schedule);
    }
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
