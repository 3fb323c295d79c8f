import { IDisposable } from '@lumino/disposable';
import { Debouncer } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { NbJobsClient } from '../api/client';
import {
  CatchupPolicy,
  IJob,
  IJobRerun,
  IJobSettings,
  ISchedule,
  ISweep,
  OverlapPolicy
} from '../api/types';
import { IBuilt } from './form';
import { JobSourcesModel } from './jobSources';

/** What the create-job form made. */
export type Created =
  | { kind: 'job'; job: IJob }
  | { kind: 'schedule'; schedule: ISchedule }
  | { kind: 'sweep'; sweep: ISweep };

/**
 * The form run again from an earlier job's settings (Rerun) or a schedule's (Run now with
 * settings): prefilled, the input notebook and its packaging fixed (the run uses the earlier
 * snapshot), and submitted through `run` instead of a create.
 */
export interface IRunAgain {
  /** What it runs again: its settings prefill the form. */
  settings: IJobSettings & { input_path: string };
  title: string;
  submitLabel: string;
  /** Start the run with the form's settings; rejects with the server's ApiError. */
  run: (changes: IJobRerun) => Promise<IJob>;
}

/** When a schedule fires, as the form has it. */
export interface IScheduleChoice {
  cron: string;
  timezone: string;
  overlap: OverlapPolicy;
  catchup: CatchupPolicy;
}

/** What to create: a job now, a schedule, or a sweep over the built grid. */
export type CreateRequest =
  | { kind: 'job'; settings: IJobSettings }
  | { kind: 'schedule'; settings: IJobSettings; schedule: IScheduleChoice }
  | { kind: 'sweep'; settings: IJobSettings; grid: IBuilt['grid'] };

/**
 * The server side of the create-job form: what JobSourcesModel reads (the kernels, formats
 * and backends on offer, the chosen notebook's parameters), the cron preview, and the create
 * requests.
 */
export class CreateJobModel extends JobSourcesModel {
  constructor(client: NbJobsClient) {
    super(client);
    this.cron = new CronPreviewModel(client);
  }

  /** The next fire times of the cron being typed. */
  readonly cron: CronPreviewModel;

  /** Create what the form asks for; rejects with the server's ApiError. */
  async create(request: CreateRequest): Promise<Created> {
    const { settings } = request;
    switch (request.kind) {
      case 'job':
        return { kind: 'job', job: await this.client.createJob(settings) };
      case 'schedule': {
        const { cron, timezone, overlap, catchup } = request.schedule;
        const schedule = await this.client.createSchedule({
          ...settings,
          cron,
          timezone,
          overlap_policy: overlap,
          catchup_policy: catchup
        });
        return { kind: 'schedule', schedule };
      }
      case 'sweep':
        return {
          kind: 'sweep',
          sweep: await this.client.createSweep({ ...settings, grid: request.grid })
        };
    }
  }

  dispose(): void {
    this.cron.dispose();
    super.dispose();
  }
}

/** Ask the server only once the user paused typing for this long. */
const CRON_DEBOUNCE_MS = 400;

/** The server's next fire times for a cron and time zone, checked as the user types. */
export class CronPreviewModel implements IDisposable {
  constructor(private _client: NbJobsClient) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The next five fire times, or null before the first answer or after an error. */
  get nextFireTimes(): readonly string[] | null {
    return this._next;
  }

  /** The server's objection to the cron or time zone. */
  get error(): string | null {
    return this._error;
  }

  get isDisposed(): boolean {
    return this._debouncer.isDisposed;
  }

  /** Check this cron in this time zone, once typing pauses. */
  check(cron: string, timezone: string): void {
    this._debouncer.invoke(cron, timezone).catch(() => undefined);
  }

  dispose(): void {
    this._debouncer.dispose();
    Signal.clearData(this);
  }

  private async _validate(cron: string, timezone: string): Promise<void> {
    const request = ++this._request;
    try {
      const info = await this._client.validateCron(cron, timezone, 5);
      if (request === this._request) {
        this._next = info.next_fire_times;
        this._error = null;
      }
    } catch (error) {
      if (request === this._request) {
        this._next = null;
        this._error = (error as Error).message;
      }
    }
    if (!this.isDisposed) {
      this._changed.emit();
    }
  }

  private _debouncer = new Debouncer(
    (cron: string, timezone: string) => this._validate(cron, timezone),
    CRON_DEBOUNCE_MS
  );
  private _next: string[] | null = null;
  private _error: string | null = null;
  private _request = 0;
  private _changed = new Signal<this, void>(this);
}
