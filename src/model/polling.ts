import { IDisposable } from '@lumino/disposable';
import { IPoll, Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

/** The shortest interval a model polls at, whatever the settings say. */
export const MIN_INTERVAL = 500;

/** The longest (timers overflow past 24.8 days; backoff goes up to 10x this). */
export const MAX_INTERVAL = 24 * 3600 * 1000;

/** An interval setting in milliseconds, kept within what a poll can do. */
export function clampInterval(ms: number): number {
  return Math.min(MAX_INTERVAL, Math.max(MIN_INTERVAL, ms || 0));
}

/** Whether the browser tab is hidden (never, outside a browser). */
export function pageHidden(): boolean {
  return typeof document !== 'undefined' && document.hidden === true;
}

/** A poll's frequency for a base interval: on errors it backs off, up to 10x (at least 30 s). */
export function frequency(interval: number): IPoll.Frequency {
  return { interval, backoff: true, max: Math.max(30000, interval * 10) };
}

/**
 * A model that reloads from the server on a `Poll`: every `interval` while it is active
 * (its view is shown) and the browser tab is visible, backing off while requests fail.
 * A subclass loads in `load()` and calls `finish()` when there is nothing left to follow
 * (a job that ended), which stops the poll until the next `refresh()`.
 */
export abstract class PollingModel implements IDisposable {
  constructor(options: PollingModel.IOptions) {
    this._interval = clampInterval(options.interval);
    this._poll = new Poll({
      auto: false,
      name: options.name,
      frequency: frequency(this._interval),
      standby: () => !this._active || pageHidden(),
      // A rejection makes the poll back off.
      factory: () => this.run(stale => this.tick(stale), true)
    });
    if (typeof document !== 'undefined') {
      document.addEventListener('visibilitychange', this._onVisibility);
    }
  }

  /** Emitted whenever what the model shows changed (data, error, loading). */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The last request's error message, if it failed. */
  get error(): string | null {
    return this._error;
  }

  get loading(): boolean {
    return this._loading;
  }

  get active(): boolean {
    return this._active;
  }

  /** Whether polling stopped because there is nothing left to follow. */
  get finished(): boolean {
    return this._finished;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  get interval(): number {
    return this._interval;
  }

  set interval(ms: number) {
    this._interval = clampInterval(ms);
    this._poll.frequency = frequency(this._interval);
  }

  /** Poll while active; becoming active refreshes at once (unless finished). */
  setActive(active: boolean): void {
    if (this._disposed || active === this._active) {
      return;
    }
    this._active = active;
    // A refresh under way starts the poll itself when it ends.
    if (active && !this._finished && !this._refreshing) {
      void this.refresh();
    }
  }

  /** Load now; while active, the next poll comes one interval later. Never rejects. */
  async refresh(): Promise<void> {
    this._finished = false;
    this._refreshing += 1;
    try {
      await this.run(stale => this.load(stale), false);
    } finally {
      this._refreshing -= 1;
    }
    if (this._active && !this._finished && !this._disposed) {
      void this._poll.schedule({ interval: this._interval, phase: 'refreshed' });
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    if (typeof document !== 'undefined') {
      document.removeEventListener('visibilitychange', this._onVisibility);
    }
    this._poll.dispose();
    Signal.clearData(this);
  }

  /**
   * Fetch and store what the model shows; throw on failure. `stale()` turns true once a
   * newer request started (or the model was disposed): its answer must not be stored then.
   */
  protected abstract load(stale: () => boolean): Promise<void>;

  /** One poll tick; by default the same as a refresh. */
  protected tick(stale: () => boolean): Promise<void> {
    return this.load(stale);
  }

  /** Stop polling: what the model follows is final. `refresh()` starts it again. */
  protected finish(): void {
    this._finished = true;
    void this._poll.stop();
  }

  protected emitChanged(): void {
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  /** Run one request, keeping `loading` and `error` for the newest one. */
  protected async run(
    work: (stale: () => boolean) => Promise<void>,
    rethrow: boolean
  ): Promise<void> {
    const generation = ++this._generation;
    const stale = () => this._disposed || generation !== this._generation;
    this._loading = true;
    this.emitChanged();
    try {
      await work(stale);
      if (!stale()) {
        this._error = null;
      }
    } catch (error) {
      if (!stale()) {
        this._error = (error as Error).message ?? String(error);
      }
      if (rethrow) {
        throw error;
      }
    } finally {
      if (!stale()) {
        this._loading = false;
      }
      this.emitChanged();
    }
  }

  // Back in the browser tab: show fresh data now, not at the next tick.
  private _onVisibility = (): void => {
    if (!pageHidden() && this._active && !this._finished) {
      void this.refresh();
    }
  };

  private _interval: number;
  private _poll: Poll;
  private _active = false;
  private _finished = false;
  private _disposed = false;
  private _loading = false;
  private _error: string | null = null;
  private _generation = 0;
  private _refreshing = 0;
  private _changed = new Signal<this, void>(this);
}

export namespace PollingModel {
  export interface IOptions {
    /** Milliseconds between polls while active. */
    interval: number;
    /** The poll's name (for debugging). */
    name: string;
  }
}
