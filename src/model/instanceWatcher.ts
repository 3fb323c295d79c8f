import { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { InstancesClient } from '../api/instances';
import { IInstance, InstanceStatus, isTransitional } from '../api/instanceTypes';
import { clampInterval, frequency, pageHidden } from './polling';

/**
 * What the watcher tells about an instance this browser started: in service, failed, stopped
 * by the server (at its daily stop time, or idle) or stopped by someone else.
 */
export type InstanceEventKind = 'in-service' | 'failed' | 'auto-stopped' | 'stopped';

/** A stop this close to the daily stop time (or later) is the auto-stop's. */
const AUTO_STOP_SLACK = 120000;

export interface IInstanceEvent {
  kind: InstanceEventKind;
  instance: IInstance;
}

/** How often an instance in service is looked at (for an auto-stop), at the least. */
export const IN_SERVICE_INTERVAL = 60000;

interface IWatched {
  status: InstanceStatus;
  /** The last auto-stop time seen, and whether an idle stop is set. */
  nextStopAt: string | null;
  idleStop: boolean;
  /** A stop asked from this browser: the instance stopping is not an auto-stop. */
  stopAsked: boolean;
}

/**
 * Follows the instances this browser created or started: tells once when one reaches
 * InService or Failed, and, while it is in service, when it stops without a stop asked
 * from here (the auto-stop). Quick while one is transitional, once a minute while all are
 * in service (or just after the next auto-stop time, if sooner); stands by while the
 * browser tab is hidden.
 */
export class InstanceWatcher implements IDisposable {
  constructor(
    private client: InstancesClient,
    private interval: () => number
  ) {
    this._poll = new Poll({
      auto: false,
      name: 'nbjobs:instance-watcher',
      frequency: frequency(clampInterval(this.interval())),
      standby: pageHidden,
      factory: () => this._tick()
    });
  }

  get event(): ISignal<this, IInstanceEvent> {
    return this._event;
  }

  /** The names followed. */
  get watching(): string[] {
    return Array.from(this._watched.keys());
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /** Follow an instance this browser just created or started. */
  watch(instance: IInstance): void {
    this._watched.set(instance.name, {
      status: instance.status,
      nextStopAt: instance.next_stop_at,
      idleStop: instance.idle_stop_minutes !== null,
      stopAsked: false
    });
    this._schedule(instance);
  }

  /** A stop was asked from this browser: when the instance stops, that is not an auto-stop. */
  stopAsked(name: string): void {
    const w = this._watched.get(name);
    if (w) {
      w.stopAsked = true;
    }
  }

  forget(name: string): void {
    this._watched.delete(name);
  }

  /** Look at every followed instance once. */
  async check(): Promise<void> {
    await this._check();
  }

  dispose(): void {
    this._watched.clear();
    this._poll.dispose();
    Signal.clearData(this);
  }

  /** Resolves to the instances read, and how many reads failed (404s aside). */
  private async _check(): Promise<{ seen: IInstance[]; failed: number }> {
    const seen: IInstance[] = [];
    let failed = 0;
    await Promise.all(
      Array.from(this._watched.entries()).map(async ([name, w]) => {
        let instance: IInstance;
        try {
          instance = await this.client.getInstance(name);
        } catch (error) {
          // A deleted instance will not change any more.
          if ((error as { status?: number }).status === 404) {
            this._watched.delete(name);
          } else {
            failed += 1;
          }
          return;
        }
        if (this._watched.get(name) !== w) {
          return;
        }
        seen.push(instance);
        this._see(name, w, instance);
      })
    );
    return { seen, failed };
  }

  private _see(name: string, w: IWatched, instance: IInstance): void {
    const before = w.status;
    const now = instance.status;
    w.status = now;
    const { nextStopAt, idleStop } = w;
    if (instance.next_stop_at) {
      w.nextStopAt = instance.next_stop_at;
    }
    w.idleStop = instance.idle_stop_minutes !== null;
    if (now === 'Failed') {
      this._watched.delete(name);
      if (before !== 'Failed') {
        this._event.emit({ kind: 'failed', instance });
      }
    } else if (now === 'InService') {
      if (before !== 'InService') {
        this._event.emit({ kind: 'in-service', instance });
      }
    } else if (now === 'Stopped' || now === 'Deleting') {
      this._watched.delete(name);
      if (!w.stopAsked && now === 'Stopped' && (before === 'InService' || before === 'Stopping')) {
        const due = !!nextStopAt && Date.now() >= Date.parse(nextStopAt) - AUTO_STOP_SLACK;
        this._event.emit({ kind: due || idleStop ? 'auto-stopped' : 'stopped', instance });
      }
    }
  }

  private async _tick(): Promise<void> {
    const { seen, failed } = await this._check();
    if (!this._watched.size) {
      void this._poll.stop();
      return;
    }
    if (failed) {
      // Rejecting makes the poll back off while the server does not answer.
      throw new Error(`nbjobs: ${failed} instance status request(s) failed`);
    }
    this._poll.frequency = frequency(this._next(seen));
  }

  /** The next look: soon while one is transitional, else at the next auto-stop or a minute. */
  private _next(seen: IInstance[]): number {
    const quick = clampInterval(this.interval());
    if (Array.from(this._watched.values()).some(w => isTransitional(w.status))) {
      return quick;
    }
    let next = IN_SERVICE_INTERVAL;
    for (const i of seen) {
      if (i.next_stop_at) {
        const ms = Date.parse(i.next_stop_at) - Date.now() + quick;
        next = Math.min(next, Math.max(quick, ms));
      }
    }
    return clampInterval(next);
  }

  private _schedule(instance: IInstance): void {
    const interval = this._next([instance]);
    this._poll.frequency = frequency(interval);
    const { phase } = this._poll.state;
    if (phase === 'constructed' || phase === 'stopped' || phase === 'standby') {
      void this._poll.schedule({ interval, phase: 'started' });
    } else {
      // Followed sooner if it is quicker than what the poll waits for now.
      void this._poll.schedule({ interval: Math.min(interval, this._poll.state.interval) });
    }
  }

  private _watched = new Map<string, IWatched>();
  private _poll: Poll;
  private _event = new Signal<this, IInstanceEvent>(this);
}
