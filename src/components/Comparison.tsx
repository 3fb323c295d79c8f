import * as React from 'react';

import { JobActions } from '../actions';
import { IComparedRun, JSONValue } from '../api/types';
import { ComparisonModel, showValue, SortKey } from '../model/comparison';
import { formatTime } from './format';
import { StatusBadge } from './StatusBadge';
import { useSignal } from './useSignal';

/**
 * Runs x parameters x status x duration x recorded values, sortable by any column, with a
 * way to each run's detail and executed notebook.
 */
export function Comparison(props: { model: ComparisonModel; actions: JobActions }): JSX.Element {
  const { model, actions } = props;
  const { trans } = actions;
  useSignal(model.changed);
  const data = model.comparison;
  if (!data) {
    return (
      <div className="jp-NbJobs-comparison">
        {model.error ? (
          <div className="jp-NbJobs-error" role="alert">
            {model.error}
          </div>
        ) : (
          trans.__('Loading…')
        )}
      </div>
    );
  }
  const varied = new Set(data.varied);
  const { key: sortKey, descending } = model.sort;
  const header = (label: string, key: SortKey, className = '') => {
    const on =
      key.kind === sortKey.kind &&
      ('name' in key ? key.name : '') === ('name' in sortKey ? sortKey.name : '');
    return (
      <th
        scope="col"
        className={className}
        aria-sort={on ? (descending ? 'descending' : 'ascending') : 'none'}
      >
        <button
          type="button"
          className="jp-NbJobs-sortButton"
          data-sort={'name' in key ? `${key.kind}:${key.name}` : key.kind}
          onClick={() => model.sortBy(key)}
        >
          {label}
          <span aria-hidden="true">{on ? (descending ? ' ▼' : ' ▲') : ''}</span>
        </button>
      </th>
    );
  };
  const runs = model.runs;
  const duration = (run: IComparedRun) =>
    run.duration_seconds === null ? '' : trans.__('%1 s', run.duration_seconds.toFixed(1));

  return (
    <div className="jp-NbJobs-comparison">
      <p className="jp-NbJobs-muted">
        {trans._n('%1 run', '%1 runs', runs.length)}
        {data.values.length === 0 &&
          ' · ' +
            trans.__(
              'No recorded values: a notebook records one with scrapbook, sb.glue("name", value).'
            )}
        {data.truncated && ' · ' + trans.__('Only the newest runs are shown.')}
      </p>
      <div className="jp-NbJobs-comparisonScroll">
        <table className="jp-NbJobs-comparisonTable">
          <caption className="jp-NbJobs-visuallyHidden">
            {trans.__('Runs, their parameters, status, duration and recorded values')}
          </caption>
          <thead>
            <tr>
              {header(trans.__('Run'), { kind: 'run' })}
              {data.parameters.map(name => (
                <React.Fragment key={`p-${name}`}>
                  {header(
                    name,
                    { kind: 'param', name },
                    varied.has(name) ? 'jp-NbJobs-varied' : 'jp-NbJobs-constant'
                  )}
                </React.Fragment>
              ))}
              {header(trans.__('Status'), { kind: 'status' })}
              {header(trans.__('Duration'), { kind: 'duration' })}
              {data.values.map(name => (
                <React.Fragment key={`v-${name}`}>
                  {header(name, { kind: 'value', name }, 'jp-NbJobs-recorded')}
                </React.Fragment>
              ))}
              <th scope="col">{trans.__('Output')}</th>
            </tr>
          </thead>
          <tbody>
            {runs.map(run => (
              <tr key={run.job.id} data-job-id={run.job.id} data-status={run.job.status}>
                <th scope="row">
                  <button
                    type="button"
                    className="jp-NbJobs-link"
                    title={trans.__('Show details of %1', run.job.name)}
                    onClick={() => actions.openDetail(run.job)}
                  >
                    {formatTime(run.job.created_at)}
                  </button>
                </th>
                {data.parameters.map(name => (
                  <td key={`p-${name}`} className="jp-NbJobs-num" data-param={name}>
                    {showValue(run.job.parameters[name] as JSONValue)}
                  </td>
                ))}
                <td>
                  <StatusBadge status={run.job.status} trans={trans} />
                </td>
                <td className="jp-NbJobs-num">{duration(run)}</td>
                {data.values.map(name => (
                  <td key={`v-${name}`} className="jp-NbJobs-num" data-value={name}>
                    {showValue((run.values as any)[name])}
                  </td>
                ))}
                <td>
                  {run.notebook_path ? (
                    <button
                      type="button"
                      className="jp-NbJobs-link"
                      onClick={() => void actions.viewExecuted(run.job)}
                    >
                      {trans.__('View')}
                    </button>
                  ) : (
                    <span className="jp-NbJobs-muted">{trans.__('none yet')}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
