import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';

import { JobActions, ScheduleActions } from '../actions';
import { CommandIDs, INbJobs, SIDEBAR_ID } from '../tokens';
import { SidebarWidget } from '../widgets/SidebarWidget';

/** The job list sidebar in the left area, with Jobs and Schedules tabs. */
export const sidebarPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbjobs:sidebar',
  description: 'Job list sidebar with Jobs and Schedules tabs.',
  autoStart: true,
  requires: [INbJobs],
  optional: [ILayoutRestorer, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    service: INbJobs,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ) => {
    const { trans } = service;
    const widget = new SidebarWidget(
      service,
      new JobActions(app, service),
      new ScheduleActions(app, service)
    );
    app.shell.add(widget, 'left', { rank: 600 });
    restorer?.add(widget, SIDEBAR_ID);

    app.commands.addCommand(CommandIDs.openSidebar, {
      label: trans.__('Show Notebook Jobs'),
      caption: trans.__('Open the notebook jobs sidebar'),
      execute: args => {
        if (args.tab === 'schedules' || args.tab === 'jobs') {
          widget.tab = args.tab;
        }
        app.shell.activateById(SIDEBAR_ID);
      }
    });
    app.commands.addCommand(CommandIDs.refresh, {
      label: trans.__('Refresh Notebook Jobs'),
      execute: () => service.jobs.refresh()
    });
    palette?.addItem({ command: CommandIDs.openSidebar, category: trans.__('Notebook Jobs') });
  }
};
