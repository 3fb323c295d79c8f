import { ellipsesIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { JobActions } from '../actions';
import { openJobMenu } from '../actions/jobMenu';
import { IJob } from '../api/types';
import { formatDuration, formatShortTime, formatTime } from './format';
import { ProgressBar, StatusBadge } from './StatusBadge';

export interface IJobRowProps {
  job: IJob;
  /** What the row is called instead of the job's name (a sweep's run: its values). */
  label?: string;
  selected: boolean;
  onSelect: (job: IJob, selected: boolean) => void;
  actions: JobActions;
}

/**
 * One job in two short lines: checkbox, name, status and its actions menu ("…", or a
 * right-click anywhere on the row); then when, how long, where.
 */
export function JobRow(props: IJobRowProps): JSX.Element {
  const { job, actions } = props;
  const trans = actions.trans;
  const menuLabel = trans.__('Actions of %1', job.name);
  const openMenu = (x: number, y: number) => openJobMenu(actions, job, x, y);
  return (
    <li
      className={`jp-NbJobs-row${props.selected ? ' jp-mod-selected' : ''}`}
      data-job-id={job.id}
      data-status={job.status}
      onContextMenu={e => {
        e.preventDefault();
        e.stopPropagation();
        openMenu(e.clientX, e.clientY);
      }}
    >
      <div className="jp-NbJobs-rowMain">
        <input
          type="checkbox"
          className="jp-NbJobs-check"
          aria-label={trans.__('Select %1', job.name)}
          checked={props.selected}
          onChange={e => props.onSelect(job, e.target.checked)}
        />
        <button
          type="button"
          className="jp-NbJobs-rowName"
          title={trans.__('Show details of %1', job.name)}
          onClick={() => actions.openDetail(job)}
        >
          {props.label ?? job.name}
        </button>
        <StatusBadge status={job.status} trans={trans} />
        <button
          type="button"
          className="jp-NbJobs-iconButton jp-NbJobs-menuButton"
          title={menuLabel}
          aria-label={menuLabel}
          aria-haspopup="menu"
          data-action="menu"
          onClick={e => {
            const box = e.currentTarget.getBoundingClientRect();
            openMenu(box.left, box.bottom);
          }}
        >
          <ellipsesIcon.react tag="span" elementSize="normal" />
        </button>
      </div>
      <div className="jp-NbJobs-rowMeta">
        {job.status === 'running' && <ProgressBar progress={job.progress} trans={trans} />}
        <span
          title={
            (job.started_at ? trans.__('Started') : trans.__('Created')) +
            ' ' +
            formatTime(job.started_at ?? job.created_at)
          }
        >
          {formatShortTime(job.started_at ?? job.created_at)}
        </span>
        {job.started_at && (
          <span title={trans.__('Duration')}>
            {formatDuration(job.started_at, job.ended_at)}
          </span>
        )}
        <span className="jp-NbJobs-backend" title={trans.__('Backend')}>
          {actions.service.names.backend(job.backend)}
        </span>
      </div>
    </li>
  );
}
