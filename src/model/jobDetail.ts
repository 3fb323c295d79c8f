import { NbJobsClient } from '../api/client';
import { IJob, IOutputFile, isFinal } from '../api/types';
import { JobLogModel } from './jobLog';
import { PollingModel } from './polling';

/** The log is read at most this far apart, whatever the refresh interval. */
const LOG_INTERVAL = 2000;

/**
 * One job, re-read while it runs. Once it is final its outputs are listed and polling
 * stops. Its log follows the job: read again at once whenever the status changes.
 */
export class JobDetailModel extends PollingModel {
  constructor(options: JobDetailModel.IOptions) {
    super({ interval: options.interval, name: `nbjobs:job:${options.jobId}` });
    this._client = options.client;
    this.jobId = options.jobId;
    this.log = new JobLogModel({
      client: options.client,
      jobId: options.jobId,
      interval: Math.min(options.interval, LOG_INTERVAL)
    });
  }

  readonly jobId: string;
  readonly log: JobLogModel;

  /** The job, once the first read answered. */
  get job(): IJob | null {
    return this._job;
  }

  /** Its output files (listed when the job is final). */
  get outputs(): readonly IOutputFile[] {
    return this._outputs;
  }

  get interval(): number {
    return super.interval;
  }

  set interval(ms: number) {
    super.interval = ms;
    this.log.interval = Math.min(ms, LOG_INTERVAL);
  }

  setActive(active: boolean): void {
    super.setActive(active);
    // Before the first answer the status is unknown: load() starts the log then.
    if (this._job) {
      this.log.setActive(active);
    }
  }

  dispose(): void {
    this.log.dispose();
    super.dispose();
  }

  protected async load(stale: () => boolean): Promise<void> {
    const job = await this._client.getJob(this.jobId);
    if (stale()) {
      return;
    }
    const previous = this._job;
    this._job = job;
    if (!previous) {
      this.log.setActive(this.active);
    } else if (previous.status !== job.status) {
      void this.log.refresh();
    }
    if (isFinal(job.status)) {
      this.emitChanged();
      const outputs = await this._client.listOutputs(this.jobId);
      if (stale()) {
        return;
      }
      this._outputs = outputs;
      this.finish();
    }
  }

  private _client: NbJobsClient;
  private _job: IJob | null = null;
  private _outputs: IOutputFile[] = [];
}

export namespace JobDetailModel {
  export interface IOptions {
    client: NbJobsClient;
    jobId: string;
    /** Milliseconds between reads while the job runs (the log: at most 2 s). */
    interval: number;
  }
}
