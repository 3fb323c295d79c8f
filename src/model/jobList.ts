import { ISignal, Signal } from '@lumino/signaling';

import { NbJobsClient } from '../api/client';
import { IJob, IJobQuery, isFinal, JobSort, JobStatus } from '../api/types';
import { PollingModel } from './polling';

/** What the list shows: filters and order, applied by the server and kept locally. */
export interface IJobFilter {
  statuses: JobStatus[];
  name: string;
  sort: JobSort;
}

/** A job moved from a running state to a final one while the model watched it. */
export interface IJobTransition {
  previous: JobStatus;
  job: IJob;
}

const DEFAULT_FILTER: IJobFilter = { statuses: [], name: '', sort: '-created_at' };

/**
 * The job list behind the sidebar.
 *
 * The first page comes from a full query; after that each poll asks only for jobs
 * updated since the newest `updated_at` seen, merges them (dropping those that no longer
 * match the filter) and re-sorts locally. Every `fullRefreshEvery` polls it re-reads the
 * loaded range to notice jobs deleted elsewhere. Polling runs only while `active`.
 */
export class JobListModel extends PollingModel {
  constructor(options: JobListModel.IOptions) {
    super({ interval: options.interval ?? 3000, name: 'nbjobs:jobs' });
    this._client = options.client;
    this._pageSize = options.pageSize ?? 50;
    this._fullRefreshEvery = options.fullRefreshEvery ?? 10;
  }

  /** Emitted when a job seen running reaches completed, failed or stopped. */
  get jobFinished(): ISignal<this, IJobTransition> {
    return this._jobFinished;
  }

  get jobs(): readonly IJob[] {
    return this._jobs;
  }

  get filter(): IJobFilter {
    return this._filter;
  }

  get hasMore(): boolean {
    return this._cursor !== null;
  }

  async setFilter(filter: Partial<IJobFilter>): Promise<void> {
    this._filter = { ...this._filter, ...filter };
    // Keep the known rows the new filter still admits until the server's page arrives: an
    // emptied list would flicker, and a click landing in that moment would hit nothing.
    this._jobs = this._jobs.filter(job => this.matches(job));
    this._cursor = null;
    this.emitChanged();
    await this.refresh();
  }

  /** Append the next page. */
  async loadMore(): Promise<void> {
    if (this._cursor === null) {
      return;
    }
    const cursor = this._cursor;
    const list = this._list;
    await this.run(async () => {
      const page = await this._client.listJobs({ ...this._query(), limit: this._pageSize, cursor });
      this._notice(page.jobs);
      // A refresh or a new filter since then replaced the list this page continues.
      if (list !== this._list) {
        return;
      }
      const known = new Set(this._jobs.map(j => j.id));
      this._jobs = this._jobs.concat(page.jobs.filter(j => !known.has(j.id)));
      this._cursor = page.next_cursor;
    }, false);
  }

  /** Ask only for what changed since the newest update seen, and merge it. */
  poll(): Promise<void> {
    return this.run(() => this.tick(), false);
  }

  /** Put a job the UI just created or changed into the list without waiting for a poll. */
  upsert(job: IJob): void {
    this._notice([job]);
    this._merge([job]);
    this.emitChanged();
  }

  /** Remove jobs deleted by this UI. */
  remove(ids: Iterable<string>): void {
    const gone = new Set(ids);
    this._jobs = this._jobs.filter(j => !gone.has(j.id));
    for (const id of gone) {
      this._lastStatus.delete(id);
    }
    this.emitChanged();
  }

  /** Whether a job passes the current filter (the same rules the server applies). */
  matches(job: IJob): boolean {
    const { statuses, name } = this._filter;
    if (statuses.length && !statuses.includes(job.status)) {
      return false;
    }
    if (name && !job.name.toLowerCase().includes(name.toLowerCase())) {
      return false;
    }
    return true;
  }

  /** Re-read the first page (or as many rows as are loaded). */
  protected async load(): Promise<void> {
    const limit = Math.max(this._pageSize, this._jobs.length);
    const list = ++this._list;
    const page = await this._client.listJobs({ ...this._query(), limit });
    this._notice(page.jobs);
    // An older full read must not replace a newer one (say, of a new filter).
    if (list !== this._list) {
      return;
    }
    this._jobs = page.jobs.slice();
    this._cursor = page.next_cursor;
    this._polls = 0;
  }

  protected async tick(): Promise<void> {
    this._polls += 1;
    if (this._polls >= this._fullRefreshEvery || this._jobs.length === 0) {
      return this.load();
    }
    const since = this._newestUpdate();
    const page = await this._client.listJobs({
      updated_since: since ?? undefined,
      sort: '-created_at',
      limit: 500
    });
    this._notice(page.jobs);
    // Merging is safe whatever ran meanwhile: it re-checks every row against the filter.
    this._merge(page.jobs);
  }

  private _query(): IJobQuery {
    return {
      status: this._filter.statuses,
      name: this._filter.name,
      sort: this._filter.sort
    };
  }

  private _merge(updates: IJob[]): void {
    if (!updates.length) {
      return;
    }
    const byId = new Map(this._jobs.map(j => [j.id, j] as [string, IJob]));
    for (const job of updates) {
      if (this.matches(job)) {
        byId.set(job.id, job);
      } else {
        byId.delete(job.id);
      }
    }
    const merged = Array.from(byId.values()).sort(compare(this._filter.sort));
    // Rows past the loaded range belong to later pages: keep them for "load more".
    if (this._cursor !== null && merged.length > this._jobs.length) {
      const last = this._jobs[this._jobs.length - 1];
      const cmp = compare(this._filter.sort);
      this._jobs = merged.filter(
        j => this._jobs.some(o => o.id === j.id) || !last || cmp(j, last) <= 0
      );
    } else {
      this._jobs = merged;
    }
  }

  /** Record statuses and emit jobFinished for running -> final transitions. */
  private _notice(jobs: IJob[]): void {
    for (const job of jobs) {
      const previous = this._lastStatus.get(job.id);
      this._lastStatus.set(job.id, job.status);
      if (previous && !isFinal(previous) && isFinal(job.status)) {
        this._jobFinished.emit({ previous, job });
      }
    }
  }

  private _newestUpdate(): string | null {
    // Compare as times: the server omits a zero fraction, so strings do not sort.
    let newest: string | null = null;
    let newestMs = -Infinity;
    for (const job of this._jobs) {
      const ms = Date.parse(job.updated_at);
      if (ms > newestMs) {
        newest = job.updated_at;
        newestMs = ms;
      }
    }
    return newest;
  }

  private _client: NbJobsClient;
  private _pageSize: number;
  private _fullRefreshEvery: number;
  private _filter: IJobFilter = { ...DEFAULT_FILTER };
  private _jobs: IJob[] = [];
  private _cursor: string | null = null;
  private _polls = 0;
  /** Bumped by each full read: which list a page or an answer belongs to. */
  private _list = 0;
  private _lastStatus = new Map<string, JobStatus>();
  private _jobFinished = new Signal<this, IJobTransition>(this);
}

export namespace JobListModel {
  export interface IOptions {
    client: NbJobsClient;
    /** Milliseconds between polls while active. */
    interval?: number;
    pageSize?: number;
    /** Re-read the whole loaded range every this many polls (catches deletions). */
    fullRefreshEvery?: number;
  }
}

/** The same orders the server sorts by, ties broken by newest first. */
export function compare(sort: JobSort): (a: IJob, b: IJob) => number {
  const byCreated = (a: IJob, b: IJob) =>
    Date.parse(b.created_at) - Date.parse(a.created_at) ||
    (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
  switch (sort) {
    case 'created_at':
      return (a, b) => -byCreated(a, b);
    case 'name':
      return (a, b) => a.name.localeCompare(b.name) || byCreated(a, b);
    case '-name':
      return (a, b) => b.name.localeCompare(a.name) || byCreated(a, b);
    case 'status':
      return (a, b) => a.status.localeCompare(b.status) || byCreated(a, b);
    case '-status':
      return (a, b) => b.status.localeCompare(a.status) || byCreated(a, b);
    default:
      return byCreated;
  }
}
