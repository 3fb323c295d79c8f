import { NbJobsClient } from '../api/client';
import { IJob, ISchedule, IScheduleUpdate } from '../api/types';
import { CronPreviewModel } from './createJob';
import { JobSourcesModel } from './jobSources';
import { PollingModel } from './polling';

/** The Schedules tab's list, re-read while the tab is shown. */
export class ScheduleListModel extends PollingModel {
  constructor(options: { client: NbJobsClient; interval: number }) {
    super({ interval: options.interval, name: 'nbjobs:schedules' });
    this._client = options.client;
  }

  /** The schedules, once the first read answered. */
  get schedules(): readonly ISchedule[] | null {
    return this._schedules;
  }

  protected async load(stale: () => boolean): Promise<void> {
    const schedules = await this._client.listSchedules();
    if (!stale()) {
      this._schedules = schedules;
    }
  }

  private _client: NbJobsClient;
  private _schedules: ISchedule[] | null = null;
}

/** How many of a schedule's runs its detail view lists. */
const RUNS_SHOWN = 20;

/** One schedule and its latest runs, re-read while its view is shown. */
export class ScheduleDetailModel extends PollingModel {
  constructor(options: { client: NbJobsClient; scheduleId: string; interval: number }) {
    super({ interval: options.interval, name: `nbjobs:schedule:${options.scheduleId}` });
    this._client = options.client;
    this.scheduleId = options.scheduleId;
  }

  readonly scheduleId: string;

  /** The schedule, once the first read answered. */
  get schedule(): ISchedule | null {
    return this._schedule;
  }

  /** Its latest runs, newest first. */
  get runs(): readonly IJob[] {
    return this._runs;
  }

  /** A model for the editor of this schedule; the caller disposes it. */
  edit(): ScheduleEditModel {
    return new ScheduleEditModel(this._client, patch => this.update(patch));
  }

  /** Change fields of the schedule (PATCH); rejects with the server's ApiError. */
  async update(patch: IScheduleUpdate): Promise<ISchedule> {
    const schedule = await this._client.updateSchedule(this.scheduleId, patch);
    this._schedule = schedule;
    this.emitChanged();
    return schedule;
  }

  protected async load(stale: () => boolean): Promise<void> {
    const schedule = await this._client.getSchedule(this.scheduleId);
    if (stale()) {
      return;
    }
    this._schedule = schedule;
    this.emitChanged();
    const page = await this._client.listJobs({
      schedule_id: this.scheduleId,
      limit: RUNS_SHOWN
    });
    if (!stale()) {
      this._runs = page.jobs;
    }
  }

  private _client: NbJobsClient;
  private _schedule: ISchedule | null = null;
  private _runs: IJob[] = [];
}

/**
 * The schedule editor's server side: the create form's sources (kernels, backends, formats,
 * the notebook's parameters), its cron preview, and the save of the changed fields.
 */
export class ScheduleEditModel extends JobSourcesModel {
  constructor(
    client: NbJobsClient,
    private _save: (patch: IScheduleUpdate) => Promise<ISchedule>
  ) {
    super(client);
    this.cron = new CronPreviewModel(client);
  }

  /** The next fire times of the cron being edited. */
  readonly cron: CronPreviewModel;

  /** Send the changed fields (PATCH); rejects with the server's ApiError. */
  save(patch: IScheduleUpdate): Promise<ISchedule> {
    return this._save(patch);
  }

  dispose(): void {
    this.cron.dispose();
    super.dispose();
  }
}
