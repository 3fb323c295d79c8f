import { refreshIcon } from '@jupyterlab/ui-components';
import { Debouncer } from '@lumino/polling';
import * as React from 'react';

import { JobActions } from '../actions';
import { IJob, isFinal, JOB_STATUSES, JobSort, JobStatus } from '../api/types';
import { JobListModel } from '../model/jobList';
import { statusLabel } from './format';
import { JobRow } from './JobRow';
import { groupSweeps, SweepGroup } from './SweepGroup';
import { useActive, useSignal, useTicker } from './useSignal';

/** Typing in the name filter sends one request once the user paused this long. */
const NAME_DEBOUNCE_MS = 300;

/** The Jobs tab: filter, sort, list, load more, bulk stop/delete. */
export function JobsPanel(props: {
  model: JobListModel;
  actions: JobActions;
  /** Whether the tab is shown (the list polls only then). */
  shown: boolean;
}): JSX.Element {
  const { model, actions } = props;
  const trans = actions.trans;
  useSignal(model.changed);
  useActive(model, props.shown);
  const jobs = model.jobs;
  useTicker(1000, jobs.some(j => j.status === 'running'));
  const [selected, setSelected] = React.useState<Set<string>>(new Set());
  const [name, setName] = React.useState(model.filter.name);
  const [expanded, setExpanded] = React.useState<Set<string>>(new Set());
  const toggle = (id: string) => {
    const next = new Set(expanded);
    next.has(id) ? next.delete(id) : next.add(id);
    setExpanded(next);
  };

  const nameFilter = React.useMemo(
    () => new Debouncer((value: string) => model.setFilter({ name: value }), NAME_DEBOUNCE_MS),
    [model]
  );
  React.useEffect(() => () => nameFilter.dispose(), [nameFilter]);
  React.useEffect(() => {
    if (name === model.filter.name) {
      // Typed back to what the list shows: drop a pending request.
      void nameFilter.stop();
    } else {
      nameFilter.invoke(name).catch(() => undefined);
    }
  }, [name]);

  const visible = new Set(jobs.map(j => j.id));
  const chosen = jobs.filter(j => selected.has(j.id) && visible.has(j.id));
  const select = (job: IJob, on: boolean) => {
    const next = new Set(selected);
    on ? next.add(job.id) : next.delete(job.id);
    setSelected(next);
  };
  const allOn = jobs.length > 0 && chosen.length === jobs.length;
  const status = model.filter.statuses[0] ?? '';

  return (
    <div className="jp-NbJobs-jobs">
      <div className="jp-NbJobs-filters">
        <input
          className="jp-mod-styled jp-NbJobs-nameFilter"
          type="search"
          placeholder={trans.__('Filter by name')}
          aria-label={trans.__('Filter by name')}
          value={name}
          onChange={e => setName(e.target.value)}
        />
        <select
          className="jp-mod-styled"
          aria-label={trans.__('Filter by status')}
          value={status}
          onChange={e =>
            void model.setFilter({
              statuses: e.target.value ? [e.target.value as JobStatus] : []
            })
          }
        >
          <option value="">{trans.__('All statuses')}</option>
          {JOB_STATUSES.map(s => (
            <option key={s} value={s}>
              {statusLabel(s, trans)}
            </option>
          ))}
        </select>
        <select
          className="jp-mod-styled"
          aria-label={trans.__('Sort')}
          value={model.filter.sort}
          onChange={e => void model.setFilter({ sort: e.target.value as JobSort })}
        >
          <option value="-created_at">{trans.__('Newest first')}</option>
          <option value="created_at">{trans.__('Oldest first')}</option>
          <option value="name">{trans.__('Name A-Z')}</option>
          <option value="-name">{trans.__('Name Z-A')}</option>
          <option value="status">{trans.__('Status')}</option>
        </select>
        <button
          type="button"
          className="jp-NbJobs-iconButton"
          title={trans.__('Refresh')}
          aria-label={trans.__('Refresh')}
          onClick={() => void model.refresh()}
        >
          <refreshIcon.react tag="span" />
        </button>
      </div>
      <div className="jp-NbJobs-bulk">
        <label>
          <input
            type="checkbox"
            aria-label={trans.__('Select all')}
            checked={allOn}
            onChange={e =>
              setSelected(e.target.checked ? new Set(jobs.map(j => j.id)) : new Set())
            }
          />
          {chosen.length
            ? trans.__('%1 selected', chosen.length)
            : trans._n('%1 job', '%1 jobs', jobs.length)}
        </label>
        <button
          type="button"
          className="jp-NbJobs-textButton"
          disabled={!chosen.some(j => !isFinal(j.status))}
          onClick={() => void actions.stop(chosen).then(() => setSelected(new Set()))}
        >
          {trans.__('Stop')}
        </button>
        <button
          type="button"
          className="jp-NbJobs-textButton jp-mod-warn"
          disabled={!chosen.length}
          onClick={() =>
            void actions.remove(chosen).then(done => done && setSelected(new Set()))
          }
        >
          {trans.__('Delete')}
        </button>
      </div>
      {model.error && (
        <div className="jp-NbJobs-error" role="alert">
          {model.error}
        </div>
      )}
      <ul className="jp-NbJobs-list" aria-label={trans.__('Jobs')}>
        {groupSweeps(jobs).map(item =>
          item.kind === 'job' ? (
            <JobRow
              key={item.job.id}
              job={item.job}
              selected={selected.has(item.job.id)}
              onSelect={select}
              actions={actions}
            />
          ) : (
            <SweepGroup
              key={`sweep-${item.id}`}
              id={item.id}
              jobs={item.jobs}
              expanded={expanded.has(item.id)}
              onToggle={() => toggle(item.id)}
              selected={selected}
              onSelect={select}
              actions={actions}
            />
          )
        )}
      </ul>
      {!jobs.length && !model.loading && (
        <div className="jp-NbJobs-empty">
          {trans.__('No jobs yet. Right-click a notebook and pick "Create notebook job".')}
        </div>
      )}
      {model.hasMore && (
        <button
          type="button"
          className="jp-NbJobs-textButton jp-NbJobs-loadMore"
          onClick={() => void model.loadMore()}
        >
          {trans.__('Load more')}
        </button>
      )}
    </div>
  );
}
