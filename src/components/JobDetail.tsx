import * as React from 'react';

import { JobActions } from '../actions';
import { isFinal } from '../api/types';
import { JobDetailModel } from '../model/jobDetail';
import { browserZone, formatBytes, formatDuration, formatTime, stripAnsi } from './format';
import { LogView } from './LogView';
import { ProgressBar, StatusBadge } from './StatusBadge';
import { useSignal, useTicker } from './useSignal';
import { attemptsText } from './vocabulary';

/** Everything about one job, as its model has it (re-read while the job runs). */
export function JobDetail(props: {
  model: JobDetailModel;
  actions: JobActions;
  focusLog: boolean;
  onDeleted: () => void;
}): JSX.Element {
  const { model, actions } = props;
  const { trans } = actions;
  useSignal(model.changed);
  useSignal(actions.service.names.changed);
  const { names } = actions.service;
  const { job, outputs, error } = model;
  const logRef = React.useRef<HTMLElement>(null);
  const running = job ? !isFinal(job.status) : true;
  useTicker(1000, !!job && job.status === 'running');

  React.useEffect(() => {
    if (props.focusLog && job) {
      logRef.current?.scrollIntoView();
    }
  }, [props.focusLog, !!job]);

  if (!job) {
    return (
      <div className="jp-NbJobs-detail">
        {error ? (
          <div className="jp-NbJobs-error" role="alert">
            {error}
          </div>
        ) : (
          trans.__('Loading…')
        )}
      </div>
    );
  }

  const row = (label: string, value: React.ReactNode) => (
    <tr>
      <th scope="row">{label}</th>
      <td>{value}</td>
    </tr>
  );
  const params = Object.entries(job.parameters);
  // A stopped job may have written its notebook up to where it stopped: offer what is there.
  const hasNotebook = isFinal(job.status) && outputs.some(o => o.kind === 'notebook');
  const stopped = job.status === 'stopped';
  // cell_index counts from 0 in the executed notebook (injected parameters included);
  // people count cells from 1, as the log does.
  const cell = job.error?.cell_index ?? null;
  const env = Object.entries(job.env);

  return (
    <div className="jp-NbJobs-detail" data-job-id={job.id} data-status={job.status}>
      <div className="jp-NbJobs-detailHeader">
        <h2>{job.name}</h2>
        <StatusBadge status={job.status} trans={trans} />
        {job.status === 'running' && <ProgressBar progress={job.progress} trans={trans} />}
      </div>
      <div className="jp-NbJobs-detailActions">
        {hasNotebook && (
          <button
            type="button"
            className="jp-NbJobs-textButton jp-mod-accept"
            title={trans.__('A read-only page of the executed notebook; starts no kernel')}
            onClick={() => void actions.viewExecuted(job)}
          >
            {trans.__('View executed notebook')}
          </button>
        )}
        {hasNotebook && (
          <button
            type="button"
            className="jp-NbJobs-textButton"
            title={trans.__('Open the executed notebook in the notebook editor')}
            onClick={() => void actions.openOutput(job)}
          >
            {trans.__('Open as notebook')}
          </button>
        )}
        <button
          type="button"
          className="jp-NbJobs-textButton"
          onClick={() => actions.openInput(job)}
        >
          {trans.__('Open input notebook')}
        </button>
        {running ? (
          <button
            type="button"
            className="jp-NbJobs-textButton jp-mod-warn"
            onClick={() => void actions.stop([job])}
          >
            {trans.__('Stop')}
          </button>
        ) : (
          <button
            type="button"
            className="jp-NbJobs-textButton"
            onClick={() => void actions.rerun(job)}
          >
            {trans.__('Rerun…')}
          </button>
        )}
        <button
          type="button"
          className="jp-NbJobs-textButton jp-mod-warn"
          onClick={() => void actions.remove([job]).then(done => done && props.onDeleted())}
        >
          {trans.__('Delete')}
        </button>
      </div>

      {job.error && stopped && (
        <section
          className="jp-NbJobs-section jp-NbJobs-stoppedNote"
          aria-label={trans.__('Stopped')}
        >
          <h3>
            {cell !== null
              ? trans.__('Stopped while cell %1 ran', cell + 1)
              : trans.__('Stopped before it ran')}
          </h3>
          <p>{job.error.message}</p>
          {cell !== null && hasNotebook && (
            <button
              type="button"
              className="jp-NbJobs-textButton"
              onClick={() => void actions.openOutput(job, cell)}
            >
              {trans.__('Show where it stopped')}
            </button>
          )}
        </section>
      )}
      {job.error && !stopped && (
        <section className="jp-NbJobs-section jp-NbJobs-failure" aria-label={trans.__('Error')}>
          <h3>
            {cell !== null
              ? trans.__('Failed in cell %1 of the executed notebook', cell + 1)
              : trans.__('Failed')}
          </h3>
          <p className="jp-NbJobs-errorLine">
            {job.error.ename
              ? `${job.error.ename}: ${job.error.evalue ?? ''}`
              : job.error.message}
          </p>
          {cell !== null && hasNotebook && (
            <button
              type="button"
              className="jp-NbJobs-textButton"
              onClick={() => void actions.openOutput(job, cell)}
            >
              {trans.__('Show the failing cell')}
            </button>
          )}
          {job.error.traceback.length > 0 && (
            <pre className="jp-NbJobs-traceback">
              {stripAnsi(job.error.traceback.join('\n'))}
            </pre>
          )}
        </section>
      )}

      <section className="jp-NbJobs-section">
        <h3>{trans.__('Overview')}</h3>
        <table className="jp-NbJobs-table">
          <tbody>
            {row(trans.__('Input'), job.input_path)}
            {row(
              trans.__('Kernel'),
              <span title={job.kernel_name}>{names.kernel(job.kernel_name)}</span>
            )}
            {row(trans.__('Backend'), names.backend(job.backend))}
            {row(trans.__('Created'), formatTime(job.created_at))}
            {row(trans.__('Started'), formatTime(job.started_at))}
            {row(trans.__('Ended'), formatTime(job.ended_at))}
            {row(trans.__('Times in'), browserZone())}
            {row(
              trans.__('Duration'),
              <span title={trans.__('From start to end, kernel start included')}>
                {formatDuration(job.started_at, job.ended_at)}
              </span>
            )}
            {row(trans.__('Attempts'), attemptsText(job.attempts, job.max_retries, trans))}
            {row(
              trans.__('Timeout'),
              job.timeout_seconds ? trans.__('%1 s', job.timeout_seconds) : trans.__('none')
            )}
            {row(trans.__('Output formats'), job.output_formats.join(', '))}
            {job.tags.length > 0 && row(trans.__('Tags'), job.tags.join(', '))}
            {job.output_path && row(trans.__('Outputs folder'), job.output_path)}
            {row(trans.__('Job id'), <code>{job.id}</code>)}
          </tbody>
        </table>
      </section>

      <section className="jp-NbJobs-section">
        <h3>{trans.__('Parameters')}</h3>
        {params.length ? (
          <table className="jp-NbJobs-table jp-NbJobs-params">
            <tbody>
              {params.map(([k, v]) => row(k, <code>{JSON.stringify(v)}</code>))}
            </tbody>
          </table>
        ) : (
          <p>{trans.__('No parameters.')}</p>
        )}
      </section>

      {env.length > 0 && (
        <section className="jp-NbJobs-section">
          <h3>{trans.__('Environment')}</h3>
          <table className="jp-NbJobs-table">
            <tbody>{env.map(([k, v]) => row(k, <code>{v}</code>))}</tbody>
          </table>
        </section>
      )}

      <section className="jp-NbJobs-section">
        <h3>{trans.__('Outputs')}</h3>
        {outputs.length ? (
          <ul className="jp-NbJobs-outputs">
            {outputs.map(o => (
              <li key={o.name}>
                <button
                  type="button"
                  className="jp-NbJobs-link"
                  title={trans.__('Open %1', o.path)}
                  onClick={() => void actions.openPath(o.path)}
                >
                  {o.name}
                </button>
                <span className="jp-NbJobs-muted">
                  {o.kind} · {formatBytes(o.size)}
                </span>
                <a className="jp-NbJobs-link" href={actions.outputUrl(job, o)} download>
                  {trans.__('Download')}
                </a>
              </li>
            ))}
          </ul>
        ) : (
          <p>{running ? trans.__('Outputs appear when the job ends.') : trans.__('No outputs.')}</p>
        )}
      </section>

      <section className="jp-NbJobs-section" ref={logRef}>
        <h3>{trans.__('Log')}</h3>
        <LogView model={model.log} label={trans.__('Job log')} />
      </section>
    </div>
  );
}
