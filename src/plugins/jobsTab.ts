import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import * as React from 'react';

import { JobActions } from '../actions';
import { JobsPanel } from '../components/JobsPanel';
import { CommandIDs, INbJobs, ISidebarTabs } from '../tokens';

/** The sidebar's Jobs tab: the shared job list model, with filters and bulk actions. */
export const jobsTabPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbjobs:jobs-tab',
  description: 'The Jobs tab of the notebook jobs sidebar.',
  autoStart: true,
  requires: [INbJobs, ISidebarTabs],
  activate: (app: JupyterFrontEnd, service: INbJobs, tabs: ISidebarTabs) => {
    const { trans } = service;
    const actions = new JobActions(app, service);
    tabs.add({
      id: 'jobs',
      label: trans.__('Jobs'),
      rank: 100,
      render: shown => React.createElement(JobsPanel, { model: service.jobs, actions, shown })
    });
    app.commands.addCommand(CommandIDs.refresh, {
      label: trans.__('Refresh Notebook Jobs'),
      execute: () => service.jobs.refresh()
    });
  }
};
