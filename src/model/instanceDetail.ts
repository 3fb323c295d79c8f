import { InstancesClient } from '../api/instances';
import { IInstance, InstanceStatus, isTransitional } from '../api/instanceTypes';
import { InstanceLogModel } from './instanceLog';
import { PollingModel } from './polling';

/** While an instance is in one of these states its log grows: the detail view follows it. */
const FOLLOWED: ReadonlySet<InstanceStatus> = new Set<InstanceStatus>(['Pending', 'Updating']);

/** The log is read at most this far apart while followed. */
const LOG_INTERVAL = 3000;

/**
 * One notebook instance, re-read while it is transitional, with its log (CloudWatch
 * events), followed while the instance is Pending or Updating.
 */
export class InstanceDetailModel extends PollingModel {
  constructor(options: InstanceDetailModel.IOptions) {
    super({ interval: options.interval, name: `nbjobs:instance:${options.name}` });
    this._client = options.client;
    this.name = options.name;
    this.log = new InstanceLogModel({
      client: options.client,
      name: options.name,
      interval: Math.min(options.interval, LOG_INTERVAL),
      pageSize: options.logPageSize
    });
  }

  readonly name: string;
  readonly log: InstanceLogModel;

  /** The instance, once the first read answered. */
  get instance(): IInstance | null {
    return this._instance;
  }

  /** Whether the instance is gone (deleted: the server answered 404). */
  get gone(): boolean {
    return this._gone;
  }

  get interval(): number {
    return super.interval;
  }

  set interval(ms: number) {
    super.interval = ms;
    this.log.interval = Math.min(ms, LOG_INTERVAL);
  }

  /** Show the instance as an action answered it, and follow it if it now changes. */
  set(instance: IInstance): void {
    this._apply(instance);
    this.emitChanged();
    if (isTransitional(instance.status)) {
      void this.refresh();
    }
  }

  setActive(active: boolean): void {
    const wasFinished = this.finished;
    super.setActive(active);
    if (active && wasFinished && !this.isDisposed) {
      void this.refresh();
    }
    // Before the first answer whether the instance may show its log is unknown.
    if (this._instance?.actions.includes('logs')) {
      this.log.setActive(active);
    }
  }

  dispose(): void {
    this.log.dispose();
    super.dispose();
  }

  protected async load(stale: () => boolean): Promise<void> {
    let instance: IInstance;
    try {
      instance = await this._client.getInstance(this.name);
    } catch (error) {
      if ((error as { status?: number }).status === 404 && !stale()) {
        this._gone = true;
        this.finish();
        return;
      }
      throw error;
    }
    if (stale()) {
      return;
    }
    this._apply(instance);
    if (!isTransitional(instance.status)) {
      this.finish();
    }
  }

  private _apply(instance: IInstance): void {
    const previous = this._instance;
    this._instance = instance;
    this._gone = false;
    this.log.follow = FOLLOWED.has(instance.status);
    if (!instance.actions.includes('logs')) {
      this.log.setActive(false);
    } else if (!previous || !previous.actions.includes('logs')) {
      this.log.setActive(this.active);
    } else if (previous.status !== instance.status) {
      void this.log.refresh();
    }
  }

  private _client: InstancesClient;
  private _instance: IInstance | null = null;
  private _gone = false;
}

export namespace InstanceDetailModel {
  export interface IOptions {
    client: InstancesClient;
    name: string;
    /** Milliseconds between reads while the instance is transitional. */
    interval: number;
    /** Log events per page. */
    logPageSize?: number;
  }
}
