import { NbJobsClient } from '../api/client';
import { IComparedRun, IComparison, isFinal, JSONValue } from '../api/types';
import { PollingModel } from './polling';

/** What the table is sorted by: a fixed column, a parameter or a recorded value. */
export type SortKey =
  | { kind: 'run' | 'status' | 'duration' }
  | { kind: 'param' | 'value'; name: string };

/** Runs side by side; re-read while shown and some run is not final. */
export class ComparisonModel extends PollingModel {
  constructor(options: {
    client: NbJobsClient;
    of: { sweepId?: string; scheduleId?: string };
    interval: number;
  }) {
    const key = options.of.sweepId ?? options.of.scheduleId ?? '';
    super({ interval: options.interval, name: `nbjobs:comparison:${key}` });
    this._client = options.client;
    this.of = options.of;
  }

  readonly of: { sweepId?: string; scheduleId?: string };

  get comparison(): IComparison | null {
    return this._comparison;
  }

  get sort(): { key: SortKey; descending: boolean } {
    return this._sort;
  }

  /** Sort by a column; the same column again flips the order. */
  sortBy(key: SortKey): void {
    const same = sameKey(key, this._sort.key);
    this._sort = { key, descending: same ? !this._sort.descending : false };
    this.emitChanged();
  }

  /** The runs in the chosen order. */
  get runs(): IComparedRun[] {
    const runs = [...(this._comparison?.runs ?? [])];
    const { key, descending } = this._sort;
    const sign = descending ? -1 : 1;
    return runs.sort((a, b) => {
      const [x, y] = [cell(a, key), cell(b, key)];
      if (x === undefined || y === undefined) {
        return compareValues(x, y); // missing values last, in either order
      }
      return sign * compareValues(x, y);
    });
  }

  protected async load(stale: () => boolean): Promise<void> {
    const comparison = await this._client.getComparison(this.of);
    if (stale()) {
      return;
    }
    this._comparison = comparison;
    if (this.of.sweepId && comparison.runs.every(r => isFinal(r.job.status))) {
      // A sweep gets no new runs: nothing left to follow. A schedule may fire again.
      this.finish();
    }
  }

  private _client: NbJobsClient;
  private _comparison: IComparison | null = null;
  private _sort: { key: SortKey; descending: boolean } = {
    key: { kind: 'run' },
    descending: false
  };
}

function sameKey(a: SortKey, b: SortKey): boolean {
  return a.kind === b.kind && ('name' in a ? a.name : '') === ('name' in b ? b.name : '');
}

/** The value a run shows in a column (undefined: none). */
export function cell(run: IComparedRun, key: SortKey): JSONValue | undefined {
  switch (key.kind) {
    case 'run':
      return run.job.created_at;
    case 'status':
      return run.job.status;
    case 'duration':
      return run.duration_seconds ?? undefined;
    case 'param':
      return run.job.parameters[key.name] as JSONValue | undefined;
    case 'value':
      return (run.values as { [name: string]: JSONValue })[key.name];
  }
}

/** Numbers by value, the rest by their text; missing values last in either order. */
export function compareValues(a: JSONValue | undefined, b: JSONValue | undefined): number {
  if (a === undefined || b === undefined) {
    return a === b ? 0 : a === undefined ? 1 : -1;
  }
  if (typeof a === 'number' && typeof b === 'number') {
    return a - b;
  }
  const text = (v: JSONValue) => (typeof v === 'string' ? v : JSON.stringify(v));
  return text(a).localeCompare(text(b), undefined, { numeric: true });
}

/** A recorded value or parameter as a table cell shows it. */
export function showValue(v: JSONValue | undefined): string {
  if (v === undefined) {
    return '';
  }
  if (typeof v === 'number') {
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  }
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
