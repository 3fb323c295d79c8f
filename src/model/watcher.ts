import { ISignal, Signal } from '@lumino/signaling';

import { NbJobsClient } from '../api/client';
import { IJob, isFinal } from '../api/types';

/**
 * Follows the jobs this browser session started until each is final, then emits
 * `finished` once for it. Independent of the sidebar, so it works while that is hidden.
 */
export class JobWatcher {
  constructor(
    private client: NbJobsClient,
    private interval: () => number
  ) {}

  get finished(): ISignal<this, IJob> {
    return this._finished;
  }

  get watching(): number {
    return this._ids.size;
  }

  watch(job: IJob): void {
    if (isFinal(job.status)) {
      this._finished.emit(job);
      return;
    }
    this._ids.add(job.id);
    this._schedule();
  }

  dispose(): void {
    if (this._timer) {
      clearTimeout(this._timer);
    }
    this._ids.clear();
    Signal.clearData(this);
  }

  /** Check every watched job once. */
  async check(): Promise<void> {
    await Promise.all(
      Array.from(this._ids).map(async id => {
        try {
          const job = await this.client.getJob(id);
          if (isFinal(job.status) && this._ids.delete(id)) {
            this._finished.emit(job);
          }
        } catch (error) {
          // A deleted job will not finish: stop following it.
          if ((error as { status?: number }).status === 404) {
            this._ids.delete(id);
          }
        }
      })
    );
  }

  private _schedule(): void {
    if (this._timer || !this._ids.size) {
      return;
    }
    this._timer = setTimeout(async () => {
      this._timer = null;
      await this.check();
      this._schedule();
    }, this.interval());
  }

  private _ids = new Set<string>();
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _finished = new Signal<this, IJob>(this);
}
