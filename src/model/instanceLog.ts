import { InstancesClient } from '../api/instances';
import { ILogEvent } from '../api/instanceTypes';
import { stripAnsi } from './jobLog';
import { PollingModel } from './polling';

/** Events per page unless told otherwise. */
export const LOG_PAGE_SIZE = 100;

/** At most this many pages are walked to catch up on new events in one read. */
const CATCH_UP_PAGES = 5;

function key(e: ILogEvent): string {
  return `${e.timestamp}\u0000${e.stream}\u0000${e.message}`;
}

/**
 * A notebook instance's log events, oldest first (newest last). The first read gets the
 * newest page; `loadOlder()` pages back; while `follow` is set (the instance is Pending or
 * Updating) it polls for events newer than the last one, otherwise it stops after a read.
 */
export class InstanceLogModel extends PollingModel {
  constructor(options: InstanceLogModel.IOptions) {
    super({ interval: options.interval, name: `nbjobs:instance-log:${options.name}` });
    this._client = options.client;
    this.name = options.name;
    this.pageSize = options.pageSize ?? LOG_PAGE_SIZE;
  }

  readonly name: string;
  readonly pageSize: number;

  /** The events read so far, oldest first. */
  get events(): readonly ILogEvent[] {
    return this._events;
  }

  /** Whether older events than the first shown exist. */
  get hasOlder(): boolean {
    return this._older !== null;
  }

  /** Whether the first page was read. */
  get loaded(): boolean {
    return this._loaded;
  }

  get follow(): boolean {
    return this._follow;
  }

  set follow(follow: boolean) {
    this._follow = follow;
  }

  /** Read the page before the first event shown. */
  async loadOlder(): Promise<void> {
    const cursor = this._older;
    if (!cursor || this._loadingOlder) {
      return;
    }
    this._loadingOlder = true;
    try {
      await this.run(async () => {
        const page = await this._client.instanceLogs(this.name, {
          cursor,
          limit: this.pageSize
        });
        // A newer first page may have replaced the events meanwhile.
        if (this._older === cursor) {
          this._older = page.next_cursor;
          this._events = [...this._fresh(page.events), ...this._events];
        }
      }, false);
    } finally {
      this._loadingOlder = false;
    }
  }

  protected async load(stale: () => boolean): Promise<void> {
    if (!this._loaded) {
      const page = await this._client.instanceLogs(this.name, { limit: this.pageSize });
      if (stale()) {
        return;
      }
      this._events = [];
      this._seen.clear();
      this._events = this._fresh(page.events);
      this._older = page.next_cursor;
      this._loaded = true;
    } else {
      await this._catchUp(stale);
    }
    if (!this._follow) {
      this.finish();
    }
  }

  /** Read the events from the last one's time on (the server includes that time). */
  private async _catchUp(stale: () => boolean): Promise<void> {
    const last = this._events[this._events.length - 1];
    const start = last?.timestamp;
    let cursor: string | null = null;
    let newer: ILogEvent[] = [];
    for (let n = 0; n < CATCH_UP_PAGES; n++) {
      const page = await this._client.instanceLogs(this.name, {
        start,
        cursor,
        limit: this.pageSize
      });
      if (stale()) {
        return;
      }
      newer = [...page.events, ...newer];
      cursor = page.next_cursor;
      if (!cursor || !start) {
        break;
      }
    }
    const fresh = this._fresh(newer);
    if (fresh.length) {
      this._events = [...this._events, ...fresh];
    }
  }

  /** The events not shown yet, remembered as shown. */
  private _fresh(events: ILogEvent[]): ILogEvent[] {
    const out: ILogEvent[] = [];
    for (const e of events) {
      const k = key(e);
      if (!this._seen.has(k)) {
        this._seen.add(k);
        out.push({ ...e, message: stripAnsi(e.message) });
      }
    }
    return out;
  }

  private _client: InstancesClient;
  private _events: ILogEvent[] = [];
  private _seen = new Set<string>();
  private _older: string | null = null;
  private _loaded = false;
  private _loadingOlder = false;
  private _follow = false;
}

export namespace InstanceLogModel {
  export interface IOptions {
    client: InstancesClient;
    name: string;
    /** Milliseconds between reads while followed. */
    interval: number;
    pageSize?: number;
  }
}
