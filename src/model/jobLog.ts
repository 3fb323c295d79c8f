import { NbJobsClient } from '../api/client';
import { PollingModel } from './polling';

/** Strip ANSI color codes from tracebacks and logs. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

/**
 * A job's log, read by byte offset and followed until the server says it is complete
 * (the job is final and every byte was read).
 */
export class JobLogModel extends PollingModel {
  constructor(options: JobLogModel.IOptions) {
    super({ interval: options.interval, name: `nbjobs:log:${options.jobId}` });
    this._client = options.client;
    this.jobId = options.jobId;
  }

  readonly jobId: string;

  /** Everything read so far, without color codes. */
  get text(): string {
    return this._text;
  }

  get complete(): boolean {
    return this._complete;
  }

  protected async load(stale: () => boolean): Promise<void> {
    const chunk = await this._client.getLog(this.jobId, { offset: this._offset });
    // Two reads from the same offset would append the same text twice.
    if (stale()) {
      return;
    }
    if (chunk.text) {
      this._text += stripAnsi(chunk.text);
    }
    this._offset = chunk.offset;
    this._complete = chunk.complete;
    if (chunk.complete) {
      this.finish();
    }
  }

  private _client: NbJobsClient;
  private _text = '';
  private _offset = 0;
  private _complete = false;
}

export namespace JobLogModel {
  export interface IOptions {
    client: NbJobsClient;
    jobId: string;
    /** Milliseconds between reads while the job runs. */
    interval: number;
  }
}
