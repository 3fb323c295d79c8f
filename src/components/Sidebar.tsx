import * as React from 'react';

import { JobActions, ScheduleActions } from '../actions';
import { JobListModel } from '../model/jobList';
import { JobsPanel } from './JobsPanel';
import { SchedulesPanel } from './SchedulesPanel';

export type SidebarTab = 'jobs' | 'schedules';

/** Jobs and Schedules tabs. Only the visible tab polls, and only while shown. */
export function Sidebar(props: {
  model: JobListModel;
  actions: JobActions;
  scheduleActions: ScheduleActions;
  visible: boolean;
  interval: number;
  tab: SidebarTab;
  onTab: (tab: SidebarTab) => void;
}): JSX.Element {
  const trans = props.actions.trans;
  const { tab } = props;

  React.useEffect(() => {
    props.model.setActive(props.visible && tab === 'jobs');
  }, [props.visible, tab]);

  const tabButton = (id: SidebarTab, label: string) => (
    <button
      type="button"
      role="tab"
      id={`jp-nbjobs-tab-${id}`}
      aria-selected={tab === id}
      className={`jp-NbJobs-tab${tab === id ? ' jp-mod-current' : ''}`}
      onClick={() => props.onTab(id)}
    >
      {label}
    </button>
  );

  return (
    <div className="jp-NbJobs-sidebar">
      <div className="jp-NbJobs-header">{trans.__('Notebook Jobs')}</div>
      <div className="jp-NbJobs-tabs" role="tablist">
        {tabButton('jobs', trans.__('Jobs'))}
        {tabButton('schedules', trans.__('Schedules'))}
      </div>
      <div role="tabpanel" className="jp-NbJobs-tabPanel" aria-labelledby={`jp-nbjobs-tab-${tab}`}>
        {tab === 'jobs' ? (
          <JobsPanel model={props.model} actions={props.actions} />
        ) : (
          <SchedulesPanel
            actions={props.scheduleActions}
            active={props.visible}
            interval={props.interval}
          />
        )}
      </div>
    </div>
  );
}
