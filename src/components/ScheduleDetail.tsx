import * as React from 'react';

import { JobActions, ScheduleActions } from '../actions';
import { ScheduleDetailModel, ScheduleEditModel } from '../model/schedules';
import { CommandIDs } from '../tokens';
import { formatTime } from './format';
import { ScheduleEdit } from './ScheduleEdit';
import { StatusBadge } from './StatusBadge';
import { useSignal } from './useSignal';
import { catchupLabel, describeCron, overlapLabel } from './vocabulary';
import { ZonedTime } from './ZonedTime';

/** One schedule: cron in words, next runs, pause/resume, run now, edit, delete, its runs. */
export function ScheduleDetail(props: {
  model: ScheduleDetailModel;
  actions: ScheduleActions;
  jobActions: JobActions;
  onDeleted: () => void;
}): JSX.Element {
  const { actions, model } = props;
  const { trans } = actions;
  useSignal(model.changed);
  useSignal(props.jobActions.service.names.changed);
  const { names } = props.jobActions.service;
  const { schedule: s, runs } = model;
  // The editor's model while the schedule is edited, disposed when the editor closes.
  const [editor, setEditor] = React.useState<ScheduleEditModel | null>(null);
  React.useEffect(() => () => editor?.dispose(), [editor]);
  const error = model.error;

  if (!s) {
    return (
      <div className="jp-NbJobs-detail">
        {error ? <div className="jp-NbJobs-error">{error}</div> : trans.__('Loading…')}
      </div>
    );
  }

  // The create-job form, prefilled with the schedule's settings, for one run now.
  const runWithSettings = () =>
    void props.jobActions.app.commands.execute(CommandIDs.runScheduleWith, { id: s.id });

  const row = (label: string, value: React.ReactNode) => (
    <tr>
      <th scope="row">{label}</th>
      <td>{value}</td>
    </tr>
  );

  return (
    <div className="jp-NbJobs-detail" data-schedule-id={s.id} data-active={String(s.active)}>
      <div className="jp-NbJobs-detailHeader">
        <h2>{s.name}</h2>
        <span className={`jp-NbJobs-badge jp-NbJobs-badge-${s.active ? 'running' : 'stopped'}`}>
          {s.active ? trans.__('Active') : trans.__('Paused')}
        </span>
      </div>
      {error && (
        <div className="jp-NbJobs-error" role="alert">
          {error}
        </div>
      )}
      {s.warnings.map(w => (
        <div key={w} className="jp-NbJobs-help">
          {w}
        </div>
      ))}
      <div className="jp-NbJobs-detailActions">
        <button
          type="button"
          className="jp-NbJobs-textButton"
          onClick={() => void (s.active ? actions.pause(s) : actions.resume(s))}
        >
          {s.active ? trans.__('Pause') : trans.__('Resume')}
        </button>
        <button type="button" className="jp-NbJobs-textButton" onClick={() => void actions.runNow(s)}>
          {trans.__('Run now')}
        </button>
        <button type="button" className="jp-NbJobs-textButton" onClick={runWithSettings}>
          {trans.__('Run now with settings…')}
        </button>
        <button
          type="button"
          className="jp-NbJobs-textButton"
          title={trans.__('The runs side by side, with the values each recorded')}
          onClick={() =>
            void props.jobActions.app.commands.execute(CommandIDs.compareRuns, {
              schedule_id: s.id,
              title: s.name
            })
          }
        >
          {trans.__('Compare runs')}
        </button>
        <button type="button" className="jp-NbJobs-textButton" onClick={() => setEditor(editor ? null : model.edit())}>
          {trans.__('Edit')}
        </button>
        <button
          type="button"
          className="jp-NbJobs-textButton jp-mod-warn"
          onClick={() => void actions.remove(s).then(done => done && props.onDeleted())}
        >
          {trans.__('Delete')}
        </button>
      </div>
      {editor ? (
        <ScheduleEdit
          schedule={s}
          model={editor}
          trans={trans}
          onSaved={() => setEditor(null)}
          onCancel={() => setEditor(null)}
        />
      ) : (
        <section className="jp-NbJobs-section">
          <table className="jp-NbJobs-table">
            <tbody>
              {row(trans.__('Runs'), describeCron(s.cron) ?? s.cron_description)}
              {row(trans.__('Cron'), <code>{s.cron}</code>)}
              {row(trans.__('Time zone'), s.timezone)}
              {row(trans.__('Input'), s.input_path)}
              {row(
                trans.__('Kernel'),
                s.kernel_name ? names.kernel(s.kernel_name) : trans.__("The notebook's own")
              )}
              {row(trans.__('Backend'), names.backend(s.backend))}
              {row(trans.__('Parameters'), <code>{JSON.stringify(s.parameters)}</code>)}
              {row(trans.__('Output formats'), s.output_formats.join(', '))}
              {row(
                trans.__('While the previous run is active'),
                overlapLabel(s.overlap_policy, trans)
              )}
              {row(
                trans.__('Runs missed while the server was off'),
                catchupLabel(s.catchup_policy, trans)
              )}
              {row(trans.__('Snapshot taken'), formatTime(s.snapshot_at))}
            </tbody>
          </table>
        </section>
      )}
      <section className="jp-NbJobs-section">
        <h3>{trans.__('Next runs')}</h3>
        {s.active && s.next_fire_times.length ? (
          <ul className="jp-NbJobs-nextRuns">
            {s.next_fire_times.map(t => (
              <li key={t}>
                <ZonedTime iso={t} zone={s.timezone} />
              </li>
            ))}
          </ul>
        ) : (
          <p>{s.active ? trans.__('None.') : trans.__('Paused.')}</p>
        )}
      </section>
      <section className="jp-NbJobs-section">
        <h3>{trans.__('Runs')}</h3>
        {runs.length ? (
          <ul className="jp-NbJobs-outputs jp-NbJobs-runs">
            {runs.map(job => (
              <li key={job.id} data-job-id={job.id}>
                <button
                  type="button"
                  className="jp-NbJobs-link"
                  onClick={() => props.jobActions.openDetail(job)}
                >
                  {job.name}
                </button>
                <StatusBadge status={job.status} trans={trans} />
                <span className="jp-NbJobs-muted">{formatTime(job.created_at)}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p>{trans.__('No runs yet.')}</p>
        )}
      </section>
      {s.trigger_runs.length > 0 && (
        <section className="jp-NbJobs-section">
          <h3>{trans.__('Runs fired by the cloud schedule')}</h3>
          <ul className="jp-NbJobs-outputs">
            {s.trigger_runs.map((r, i) => (
              <li key={r.execution_arn ?? i} title={r.execution_arn ?? ''}>
                <span>{r.display_name ?? r.execution_arn ?? trans.__('run')}</span>
                <span className={`jp-NbJobs-badge jp-NbJobs-badge-${r.status}`}>
                  {r.aws_status ?? r.status}
                </span>
                <span className="jp-NbJobs-muted">{formatTime(r.started_at)}</span>
                {r.failure_reason && (
                  <span className="jp-NbJobs-fieldError">{r.failure_reason}</span>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
