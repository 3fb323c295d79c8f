import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ILauncher } from '@jupyterlab/launcher';

import { nbjobsIcon } from '../icons';
import { CommandIDs, INbJobs } from '../tokens';

/** A "Notebook Jobs" tile in the Launcher: opens the jobs sidebar. */
export const launcherPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbjobs:launcher',
  description: 'A Notebook Jobs tile in the Launcher.',
  autoStart: true,
  requires: [INbJobs],
  optional: [ILauncher],
  activate: (app: JupyterFrontEnd, service: INbJobs, launcher: ILauncher | null) => {
    if (!launcher) {
      return;
    }
    const { trans } = service;
    const command = 'nbjobs:launcher-open';
    app.commands.addCommand(command, {
      label: trans.__('Notebook Jobs'),
      caption: trans.__('Your notebook jobs, schedules and sweeps'),
      icon: nbjobsIcon,
      execute: () => app.commands.execute(CommandIDs.openSidebar, { tab: 'jobs' })
    });
    launcher.add({ command, category: trans.__('Other'), rank: 5 });
  }
};
