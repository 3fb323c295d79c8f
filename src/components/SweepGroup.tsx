import { caretDownIcon, caretRightIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { JobActions } from '../actions';
import { IJob, JobStatus, JOB_STATUSES } from '../api/types';
import { CommandIDs } from '../tokens';
import { statusLabel } from './format';
import { JobRow } from './JobRow';

/** The jobs of one list, with a sweep's jobs gathered where its first one is. */
export type ListItem = { kind: 'job'; job: IJob } | { kind: 'sweep'; id: string; jobs: IJob[] };

export function groupSweeps(jobs: readonly IJob[]): ListItem[] {
  const items: ListItem[] = [];
  const groups = new Map<string, IJob[]>();
  for (const job of jobs) {
    if (!job.sweep_id) {
      items.push({ kind: 'job', job });
      continue;
    }
    const group = groups.get(job.sweep_id);
    if (group) {
      group.push(job);
    } else {
      const fresh = [job];
      groups.set(job.sweep_id, fresh);
      items.push({ kind: 'sweep', id: job.sweep_id, jobs: fresh });
    }
  }
  return items;
}

/** A sweep's name: its jobs are named "<sweep> [a=1, b=2]". */
export function sweepName(jobs: readonly IJob[]): string {
  const name = jobs[0]?.name ?? '';
  return name.replace(/\s*\[[^\]]*\]$/, '') || name;
}

/** The parameters whose values tell the runs apart ("n=1, lr=0.1"), all when only one is known. */
export function runLabel(job: IJob, jobs: readonly IJob[]): string {
  const names = Object.keys(job.parameters);
  const varied =
    jobs.length > 1
      ? names.filter(
          n => new Set(jobs.map(j => JSON.stringify(j.parameters[n]))).size > 1
        )
      : names;
  const shown = varied.length ? varied : names;
  return shown.map(n => `${n}=${JSON.stringify(job.parameters[n])}`).join(', ') || job.name;
}

export function SweepGroup(props: {
  id: string;
  jobs: IJob[];
  expanded: boolean;
  onToggle: () => void;
  selected: ReadonlySet<string>;
  onSelect: (job: IJob, selected: boolean) => void;
  actions: JobActions;
}): JSX.Element {
  const { jobs, actions } = props;
  const { trans } = actions;
  const name = sweepName(jobs);
  const counts = new Map<JobStatus, number>();
  jobs.forEach(j => counts.set(j.status, (counts.get(j.status) ?? 0) + 1));
  const summary = JOB_STATUSES.filter(s => counts.has(s))
    .map(s => `${counts.get(s)} ${statusLabel(s, trans).toLowerCase()}`)
    .join(', ');
  const Caret = props.expanded ? caretDownIcon : caretRightIcon;
  const listId = `jp-nbjobs-sweep-${props.id}`;
  return (
    <li className="jp-NbJobs-sweepGroup" data-sweep-id={props.id}>
      <div className="jp-NbJobs-sweepHeader">
        <button
          type="button"
          className="jp-NbJobs-sweepToggle"
          aria-expanded={props.expanded}
          aria-controls={listId}
          onClick={props.onToggle}
        >
          <Caret.react tag="span" elementSize="normal" />
          <span className="jp-NbJobs-sweepName">{name}</span>
        </button>
        <span className="jp-NbJobs-muted jp-NbJobs-sweepSummary">
          {trans._n('%1 run', '%1 runs', jobs.length)}: {summary}
        </span>
        <button
          type="button"
          className="jp-NbJobs-textButton jp-NbJobs-compare"
          title={trans.__('The runs side by side, with the values each recorded')}
          onClick={() =>
            void actions.app.commands.execute(CommandIDs.compareRuns, {
              sweep_id: props.id,
              title: name
            })
          }
        >
          {trans.__('Compare')}
        </button>
      </div>
      {props.expanded && (
        <ul className="jp-NbJobs-list jp-NbJobs-sweepRuns" id={listId} aria-label={name}>
          {jobs.map(job => (
            <JobRow
              key={job.id}
              job={job}
              label={runLabel(job, jobs)}
              selected={props.selected.has(job.id)}
              onSelect={props.onSelect}
              actions={actions}
            />
          ))}
        </ul>
      )}
    </li>
  );
}
