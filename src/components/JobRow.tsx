import {
  deleteIcon,
  downloadIcon,
  fileIcon,
  launchIcon,
  notebookIcon,
  refreshIcon,
  stopIcon,
  textEditorIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { JobActions } from '../actions';
import { IJob, isFinal } from '../api/types';
import { formatDuration, formatTime } from './format';
import { ProgressBar, StatusBadge } from './StatusBadge';

export interface IJobRowProps {
  job: IJob;
  /** What the row is called instead of the job's name (a sweep's run: its values). */
  label?: string;
  selected: boolean;
  onSelect: (job: IJob, selected: boolean) => void;
  actions: JobActions;
}

/** One job: checkbox, name, status, progress, times, backend, and its actions. */
export function JobRow(props: IJobRowProps): JSX.Element {
  const { job, actions } = props;
  const trans = actions.trans;
  const running = !isFinal(job.status);
  const action = (
    label: string,
    icon: typeof stopIcon,
    onClick: () => void,
    name: string
  ) => (
    <button
      type="button"
      className="jp-NbJobs-iconButton"
      title={label}
      aria-label={label}
      data-action={name}
      onClick={e => {
        e.stopPropagation();
        onClick();
      }}
    >
      <icon.react tag="span" elementSize="normal" />
    </button>
  );
  return (
    <li
      className={`jp-NbJobs-row${props.selected ? ' jp-mod-selected' : ''}`}
      data-job-id={job.id}
      data-status={job.status}
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
      </div>
      <div className="jp-NbJobs-rowMeta">
        {job.status === 'running' && <ProgressBar progress={job.progress} trans={trans} />}
        <span title={trans.__('Started')}>
          {job.started_at ? formatTime(job.started_at) : formatTime(job.created_at)}
        </span>
        {job.started_at && (
          <span title={trans.__('Duration')}>
            {formatDuration(job.started_at, job.ended_at)}
          </span>
        )}
        <span className="jp-NbJobs-backend" title={trans.__('Backend')}>
          {job.backend}
        </span>
      </div>
      <div className="jp-NbJobs-rowActions">
        {isFinal(job.status)
          ? action(trans.__('Open executed notebook'), notebookIcon, () =>
              void actions.openOutput(job), 'open-output')
          : null}
        {isFinal(job.status) &&
          action(trans.__('Download outputs'), downloadIcon, () =>
            void actions.downloadAll(job), 'download')}
        {action(trans.__('View log'), textEditorIcon, () => actions.openDetail(job, 'log'), 'log')}
        {running && action(trans.__('Stop'), stopIcon, () => void actions.stop([job]), 'stop')}
        {isFinal(job.status) &&
          action(trans.__('Rerun'), refreshIcon, () => void actions.rerun(job), 'rerun')}
        {action(trans.__('Open input notebook'), fileIcon, () => actions.openInput(job), 'open-input')}
        {action(trans.__('Details'), launchIcon, () => actions.openDetail(job), 'details')}
        {action(trans.__('Delete'), deleteIcon, () => void actions.remove([job]), 'delete')}
      </div>
    </li>
  );
}
