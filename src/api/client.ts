import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import {
  IBulkResult,
  IComparison,
  ICronInfo,
  IEnvironments,
  IErrorBody,
  IFieldProblem,
  IJob,
  IJobCreate,
  IJobRerun,
  IJobPage,
  IJobQuery,
  ILogChunk,
  INotebookParameters,
  IOutputFile,
  IRunResult,
  ISchedule,
  IScheduleCreate,
  IScheduleUpdate,
  ISweep,
  ISweepCreate
} from './types';

/** Parameter overrides of a rerun or a schedule run (any JSON values). */
export type ParameterOverrides = IJob['parameters'];

/**
 * A non-2xx answer from the nbjobs API, carrying its {message, reason, field} body and, for
 * a request that failed validation, every problem of it (`errors`).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly field: string | null = null,
    readonly errors: readonly IFieldProblem[] = []
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Typed client of the REST API under {base_url}/nbjobs/. */
export class NbJobsClient {
  constructor(options: { serverSettings?: ServerConnection.ISettings } = {}) {
    this.serverSettings =
      options.serverSettings ?? ServerConnection.makeSettings();
  }

  readonly serverSettings: ServerConnection.ISettings;

  /** The absolute URL of an API path, with query parameters (empty ones dropped). */
  url(path: string, query: { [key: string]: unknown } = {}): string {
    const base = URLExt.join(this.serverSettings.baseUrl, 'nbjobs', path);
    const parts: string[] = [];
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined || value === null || value === '') {
        continue;
      }
      const text = Array.isArray(value) ? value.join(',') : String(value);
      if (text === '') {
        continue;
      }
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(text)}`);
    }
    return parts.length ? `${base}?${parts.join('&')}` : base;
  }

  // -- jobs ------------------------------------------------------------------------------

  listJobs(query: IJobQuery = {}): Promise<IJobPage> {
    return this.request<IJobPage>('GET', this.url('jobs', { ...query }));
  }

  getJob(id: string): Promise<IJob> {
    return this.request<IJob>('GET', this.url(`jobs/${enc(id)}`));
  }

  createJob(body: IJobCreate): Promise<IJob> {
    return this.request<IJob>('POST', this.url('jobs'), body);
  }

  deleteJob(id: string): Promise<void> {
    return this.request<void>('DELETE', this.url(`jobs/${enc(id)}`));
  }

  stopJob(id: string): Promise<IJob> {
    return this.request<IJob>('POST', this.url(`jobs/${enc(id)}/stop`), {});
  }

  /** Run a job again from its input snapshot, with these settings changed. */
  rerunJob(id: string, changes: IJobRerun = {}): Promise<IJob> {
    return this.request<IJob>('POST', this.url(`jobs/${enc(id)}/rerun`), changes);
  }

  bulkDelete(ids: string[]): Promise<IBulkResult> {
    return this.request<IBulkResult>('POST', this.url('jobs/bulk/delete'), {
      ids
    });
  }

  bulkStop(ids: string[]): Promise<IBulkResult> {
    return this.request<IBulkResult>('POST', this.url('jobs/bulk/stop'), {
      ids
    });
  }

  async listOutputs(id: string): Promise<IOutputFile[]> {
    const body = await this.request<{ outputs: IOutputFile[] }>(
      'GET',
      this.url(`jobs/${enc(id)}/outputs`)
    );
    return body.outputs;
  }

  /** URL of one output file; `download` makes the server send it as an attachment. */
  outputUrl(id: string, name: string, download = false): string {
    const path = `jobs/${enc(id)}/outputs/${name.split('/').map(enc).join('/')}`;
    return this.url(path, download ? { download: 1 } : {});
  }

  /**
   * URL of the executed notebook rendered as a read-only HTML page by the server (no
   * kernel); served with `Content-Security-Policy: sandbox`, so no script of it runs.
   */
  viewUrl(id: string, download = false): string {
    return this.url(`jobs/${enc(id)}/view`, download ? { download: 1 } : {});
  }

  /** URL of every output of the job as one zip (always a download). */
  archiveUrl(id: string): string {
    return this.url(`jobs/${enc(id)}/archive`);
  }

  getLog(
    id: string,
    options: { offset?: number; tail?: number } = {}
  ): Promise<ILogChunk> {
    return this.request<ILogChunk>(
      'GET',
      this.url(`jobs/${enc(id)}/log`, { ...options })
    );
  }

  getEnvironments(): Promise<IEnvironments> {
    return this.request<IEnvironments>('GET', this.url('environments'));
  }

  getParameters(path: string): Promise<INotebookParameters> {
    return this.request<INotebookParameters>(
      'GET',
      this.url('parameters', { path })
    );
  }

  // -- schedules -------------------------------------------------------------------------

  async listSchedules(): Promise<ISchedule[]> {
    const body = await this.request<{ schedules: ISchedule[] }>(
      'GET',
      this.url('schedules')
    );
    return body.schedules;
  }

  getSchedule(id: string): Promise<ISchedule> {
    return this.request<ISchedule>('GET', this.url(`schedules/${enc(id)}`));
  }

  createSchedule(body: IScheduleCreate): Promise<ISchedule> {
    return this.request<ISchedule>('POST', this.url('schedules'), body);
  }

  updateSchedule(id: string, body: IScheduleUpdate): Promise<ISchedule> {
    return this.request<ISchedule>(
      'PATCH',
      this.url(`schedules/${enc(id)}`),
      body
    );
  }

  deleteSchedule(id: string): Promise<void> {
    return this.request<void>('DELETE', this.url(`schedules/${enc(id)}`));
  }

  pauseSchedule(id: string): Promise<ISchedule> {
    return this.request<ISchedule>(
      'POST',
      this.url(`schedules/${enc(id)}/pause`),
      {}
    );
  }

  resumeSchedule(id: string): Promise<ISchedule> {
    return this.request<ISchedule>(
      'POST',
      this.url(`schedules/${enc(id)}/resume`),
      {}
    );
  }

  /** One run of a schedule now, from its snapshot, with this run's settings changed. */
  runSchedule(id: string, changes: IJobRerun = {}): Promise<IRunResult> {
    return this.request<IRunResult>('POST', this.url(`schedules/${enc(id)}/run`), changes);
  }

  validateCron(
    cron: string,
    timezone = 'UTC',
    count = 5
  ): Promise<ICronInfo> {
    return this.request<ICronInfo>('POST', this.url('cron/validate'), {
      cron,
      timezone,
      count
    });
  }

  // -- sweeps ----------------------------------------------------------------------------

  createSweep(body: ISweepCreate): Promise<ISweep> {
    return this.request<ISweep>('POST', this.url('sweeps'), body);
  }

  getSweep(id: string): Promise<ISweep> {
    return this.request<ISweep>('GET', this.url(`sweeps/${enc(id)}`));
  }

  /** A sweep's or a schedule's runs side by side, with what each recorded. */
  getComparison(of: { sweepId?: string; scheduleId?: string }): Promise<IComparison> {
    const route = of.sweepId
      ? `sweeps/${enc(of.sweepId)}/comparison`
      : `schedules/${enc(of.scheduleId ?? '')}/comparison`;
    return this.request<IComparison>('GET', this.url(route));
  }

  // -- plumbing --------------------------------------------------------------------------

  async request<T>(method: string, url: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'Content-Type': 'application/json' };
    }
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(
        url,
        init,
        this.serverSettings
      );
    } catch (error) {
      throw new ApiError(0, 'network_error', String(error));
    }
    if (response.status === 204) {
      return undefined as T;
    }
    const text = await response.text();
    let data: any = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
    }
    if (!response.ok) {
      const err = (data ?? {}) as Partial<IErrorBody>;
      throw new ApiError(
        response.status,
        err.reason ?? `http_${response.status}`,
        err.message ?? (response.statusText || `HTTP ${response.status}`),
        err.field ?? null,
        Array.isArray(err.errors) ? err.errors : []
      );
    }
    return data as T;
  }
}

function enc(part: string): string {
  return encodeURIComponent(part);
}
