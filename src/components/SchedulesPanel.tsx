import { deleteIcon, launchIcon, pauseIcon, refreshIcon, runIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ScheduleActions } from '../actions';
import { ScheduleListModel } from '../model/schedules';
import { useActive, useSignal } from './useSignal';
import { describeCron } from './vocabulary';
import { ZonedTime } from './ZonedTime';

/** The Schedules tab: each schedule with its cron in words, next run and actions. */
export function SchedulesPanel(props: {
  model: ScheduleListModel;
  actions: ScheduleActions;
  /** Whether the tab is shown (the list polls only then). */
  shown: boolean;
}): JSX.Element {
  const { actions, model } = props;
  const trans = actions.trans;
  useSignal(model.changed);
  useActive(model, props.shown);
  const { schedules, error } = model;
  const load = () => void model.refresh();

  const button = (label: string, icon: typeof runIcon, run: () => void, name: string) => (
    <button
      type="button"
      className="jp-NbJobs-iconButton"
      title={label}
      aria-label={label}
      data-action={name}
      onClick={run}
    >
      <icon.react tag="span" elementSize="normal" />
    </button>
  );

  return (
    <div className="jp-NbJobs-schedules">
      <div className="jp-NbJobs-filters">
        <span className="jp-NbJobs-count">
          {schedules ? trans._n('%1 schedule', '%1 schedules', schedules.length) : ''}
        </span>
        {button(trans.__('Refresh'), refreshIcon, load, 'refresh')}
      </div>
      {error && (
        <div className="jp-NbJobs-error" role="alert">
          {error}
        </div>
      )}
      <ul className="jp-NbJobs-list" aria-label={trans.__('Schedules')}>
        {(schedules ?? []).map(s => (
          <li
            key={s.id}
            className="jp-NbJobs-row"
            data-schedule-id={s.id}
            data-active={s.active ? 'true' : 'false'}
          >
            <div className="jp-NbJobs-rowMain">
              <button
                type="button"
                className="jp-NbJobs-rowName"
                onClick={() => actions.openDetail(s)}
              >
                {s.name}
              </button>
              <span
                className={`jp-NbJobs-badge jp-NbJobs-badge-${s.active ? 'running' : 'stopped'}`}
              >
                {s.active ? trans.__('Active') : trans.__('Paused')}
              </span>
            </div>
            <div className="jp-NbJobs-rowMeta">
              <span title={s.cron}>{describeCron(s.cron) ?? s.cron_description}</span>
              {s.active && s.next_fire_at && (
                <span className="jp-NbJobs-nextFire">
                  {trans.__('next:')} <ZonedTime iso={s.next_fire_at} zone={s.timezone} />
                </span>
              )}
            </div>
            <div className="jp-NbJobs-rowActions">
              {s.active
                ? button(trans.__('Pause'), pauseIcon, () => void actions.pause(s), 'pause')
                : button(trans.__('Resume'), runIcon, () => void actions.resume(s), 'resume')}
              {button(trans.__('Run now'), runIcon, () => void actions.runNow(s), 'run')}
              {button(trans.__('Details'), launchIcon, () => actions.openDetail(s), 'details')}
              {button(trans.__('Delete'), deleteIcon, () => void actions.remove(s), 'delete')}
            </div>
          </li>
        ))}
      </ul>
      {schedules && !schedules.length && (
        <div className="jp-NbJobs-empty">
          {trans.__('No schedules. Create a job and choose "On a schedule".')}
        </div>
      )}
    </div>
  );
}
