import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import * as React from 'react';

import { ScheduleActions } from '../actions';
import { SchedulesPanel } from '../components/SchedulesPanel';
import { ScheduleListModel } from '../model/schedules';
import { INbJobs, ISidebarTabs } from '../tokens';

/** The sidebar's Schedules tab: every schedule, with pause/resume, run now and delete. */
export const schedulesTabPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbjobs:schedules-tab',
  description: 'The Schedules tab of the notebook jobs sidebar.',
  autoStart: true,
  requires: [INbJobs, ISidebarTabs],
  activate: (app: JupyterFrontEnd, service: INbJobs, tabs: ISidebarTabs) => {
    const { trans } = service;
    const actions = new ScheduleActions(app, service);
    const model = new ScheduleListModel({
      client: service.client,
      interval: service.settings.refreshInterval * 1000
    });
    service.settingsChanged.connect((_, settings) => {
      model.interval = settings.refreshInterval * 1000;
    });
    // A pause, run or delete from a row shows at once.
    actions.changed.connect(() => void model.refresh());
    tabs.add({
      id: 'schedules',
      label: trans.__('Schedules'),
      rank: 200,
      render: shown => React.createElement(SchedulesPanel, { model, actions, shown })
    });
  }
};
