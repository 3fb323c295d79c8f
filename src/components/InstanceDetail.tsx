import * as React from 'react';

import { InstanceActions } from '../actions/instances';
import { InstanceDetailModel } from '../model/instanceDetail';
import { formatTime } from './format';
import { actionLabel, formatInZone } from './instanceFormat';
import { InstanceLogView } from './InstanceLogView';
import { allowedActions, AUTO_STOP_AHEAD, InstanceStatusBadge, runAction } from './InstanceRow';
import { useSignal } from './useSignal';

/** Everything about one notebook instance, its actions and its log. */
export function InstanceDetail(props: {
  model: InstanceDetailModel;
  actions: InstanceActions;
  focusLog: boolean;
}): JSX.Element {
  const { model, actions } = props;
  const { trans } = actions;
  useSignal(model.changed);
  const { instance: i, error } = model;
  const logRef = React.useRef<HTMLElement>(null);

  React.useEffect(() => {
    if (props.focusLog && i) {
      logRef.current?.scrollIntoView();
      logRef.current?.querySelector<HTMLElement>('[role="log"]')?.focus();
    }
  }, [props.focusLog, !!i]);

  if (!i) {
    return (
      <div className="jp-NbJobs-detail">
        {model.gone ? (
          <div className="jp-NbJobs-empty">{trans.__('This instance was deleted.')}</div>
        ) : error ? (
          <div className="jp-NbJobs-error" role="alert">
            {error}
          </div>
        ) : (
          trans.__('Loading…')
        )}
      </div>
    );
  }

  const row = (label: string, value: React.ReactNode, name?: string) => (
    <tr data-field={name}>
      <th scope="row">{label}</th>
      <td>{value}</td>
    </tr>
  );
  const none = <span className="jp-NbJobs-muted">{trans.__('none')}</span>;

  return (
    <div className="jp-NbJobs-detail" data-instance={i.name} data-status={i.status}>
      <div className="jp-NbJobs-detailHeader">
        <h2>{i.name}</h2>
        <InstanceStatusBadge status={i.status} trans={trans} />
      </div>
      {model.gone && (
        <div className="jp-NbJobs-notice" role="status">
          {trans.__('This instance was deleted.')}
        </div>
      )}
      <div className="jp-NbJobs-detailActions">
        {!model.gone &&
          allowedActions(i)
            .filter(a => a !== 'logs')
            .map(action => (
              <button
                key={action}
                type="button"
                data-action={action}
                className={`jp-NbJobs-textButton${
                  action === 'open' ? ' jp-mod-accept' : action === 'delete' ? ' jp-mod-warn' : ''
                }`}
                onClick={() => runAction(actions, action, i)}
              >
                {actionLabel(action, trans)}
              </button>
            ))}
      </div>
      {i.failure_reason && (
        <section className="jp-NbJobs-section jp-NbJobs-failure" aria-label={trans.__('Failure')}>
          <h3>{trans.__('Why it failed')}</h3>
          <div className="jp-NbJobs-errorLine">{i.failure_reason}</div>
        </section>
      )}
      {error && (
        <div className="jp-NbJobs-error" role="alert">
          {error}
        </div>
      )}
      <table className="jp-NbJobs-table">
        <tbody>
          {row(trans.__('Project'), i.project, 'project')}
          {row(trans.__('Owner'), i.owner, 'owner')}
          {row(trans.__('Instance type'), i.instance_type, 'instance_type')}
          {row(trans.__('Volume'), trans.__('%1 GB', i.volume_size_gb), 'volume_size_gb')}
          {row(trans.__('Lifecycle configuration'), i.lifecycle_config ?? none, 'lifecycle_config')}
          {row(trans.__('EMR cluster'), i.emr_cluster_id ?? none, 'emr_cluster_id')}
          {row(
            trans.__('Daily stop time'),
            i.stop_time
              ? i.stop_time_overridden
                ? trans.__('%1 (%2, set for this instance)', i.stop_time, i.timezone)
                : trans.__("%1 (%2, the project's)", i.stop_time, i.timezone)
              : none,
            'stop_time'
          )}
          {row(
            trans.__('Next auto-stop'),
            i.next_stop_at && AUTO_STOP_AHEAD.has(i.status)
              ? formatInZone(i.next_stop_at, i.timezone)
              : none,
            'next_stop_at'
          )}
          {i.idle_stop_minutes !== null &&
            row(
              trans.__('Idle stop'),
              trans.__('after %1 minutes idle', i.idle_stop_minutes),
              'idle_stop_minutes'
            )}
          {row(trans.__('ARN'), i.arn ?? none, 'arn')}
          {row(trans.__('Created'), formatTime(i.created_at), 'created_at')}
          {row(trans.__('Updated'), formatTime(i.updated_at), 'updated_at')}
        </tbody>
      </table>
      {i.actions.includes('logs') && (
        <section
          ref={logRef}
          className="jp-NbJobs-section"
          aria-label={trans.__('Logs')}
          data-section="logs"
        >
          <h3>{trans.__('Logs')}</h3>
          <InstanceLogView
            model={model.log}
            label={trans.__('Log of %1', i.name)}
            texts={{
              older: trans.__('Load older events'),
              empty: trans.__('No log events yet.'),
              following: trans.__('Following new events while the instance is %1.', i.status),
              loading: trans.__('Loading…')
            }}
          />
        </section>
      )}
    </div>
  );
}
