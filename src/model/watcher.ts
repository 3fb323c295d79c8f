import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { NbJobsClient } from '../api/client';
import { IJob, isFinal } from '../api/types';
import { clampInterval, frequency, pageHidden } from './polling';

/**
 * Follows the jobs this browser session started until each is final, then emits
 * `finished` once for it. Independent of the sidebar, so it works while that is hidden;
 * it stands by while the browser tab is hidden (a toast there would go unseen).
 */
export class JobWatcher implements IDisposable {
  constructor(
    private client: NbJobsClient,
    private interval: () => number
  ) {
    this._poll = new Poll({
      auto: false,
      name: 'nbjobs:watcher',
      frequency: frequency(this._interval()),
      standby: pageHidden,
      factory: () => this._tick()
    });
  }

  get finished(): ISignal<this, IJob> {
    return this._finished;
  }

  get watching(): number {
    return this._ids.size;
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  watch(job: IJob): void {
    if (isFinal(job.status)) {
      this._finished.emit(job);
      return;
    }
    this._ids.add(job.id);
    const { phase } = this._poll.state;
    if (phase === 'constructed' || phase === 'stopped') {
      // The job was just created: the first look is one interval later.
      void this._poll.schedule({ interval: this._interval(), phase: 'started' });
    }
  }

  dispose(): void {
    this._ids.clear();
    this._poll.dispose();
    Signal.clearData(this);
  }

  /** Check every watched job once. */
  async check(): Promise<void> {
    await this._check();
  }

  /** Check each watched job; resolves to how many requests failed (404s aside). */
  private async _check(): Promise<number> {
    let failed = 0;
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
          } else {
            failed += 1;
          }
        }
      })
    );
    return failed;
  }

  private async _tick(): Promise<void> {
    // The settings may have changed the interval since the last tick.
    this._poll.frequency = frequency(this._interval());
    const failed = await this._check();
    if (!this._ids.size) {
      void this._poll.stop();
    } else if (failed) {
      // Rejecting makes the poll back off while the server does not answer.
      throw new Error(`nbjobs: ${failed} job status request(s) failed`);
    }
  }

  private _interval(): number {
    return clampInterval(this.interval());
  }

  private _ids = new Set<string>();
  private _poll: Poll;
  private _finished = new Signal<this, IJob>(this);
}
