import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IProgress, JobStatus } from '../api/types';
import { statusLabel } from './format';

export function StatusBadge(props: {
  status: JobStatus;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <span
      className={`jp-NbJobs-badge jp-NbJobs-badge-${props.status}`}
      data-status={props.status}
    >
      {statusLabel(props.status, props.trans)}
    </span>
  );
}

/** Cells done / total, as a bar with the numbers beside it. */
export function ProgressBar(props: {
  progress: IProgress;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { cells_done, cells_total } = props.progress;
  if (!cells_total) {
    return null;
  }
  const pct = Math.min(100, Math.round((100 * cells_done) / cells_total));
  const label = props.trans.__('%1 of %2 cells', cells_done, cells_total);
  return (
    <span className="jp-NbJobs-progress" title={label}>
      <span
        className="jp-NbJobs-progress-bar"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={cells_total}
        aria-valuenow={cells_done}
        aria-label={label}
      >
        <span className="jp-NbJobs-progress-fill" style={{ width: `${pct}%` }} />
      </span>
      <span className="jp-NbJobs-progress-text">
        {cells_done}/{cells_total}
      </span>
    </span>
  );
}
