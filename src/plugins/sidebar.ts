import {
  ILabShell,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { listIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { CommandIDs, SIDEBAR_ID } from '../tokens';

/** The job list sidebar in the left area. */
export const sidebarPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbjobs:sidebar',
  description: 'Job list sidebar with Jobs and Schedules tabs.',
  autoStart: true,
  optional: [ILabShell, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    labShell: ILabShell | null,
    translator: ITranslator | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_nbjobs');
    const widget = new Widget();
    widget.id = SIDEBAR_ID;
    widget.addClass('jp-NbJobs-panel');
    widget.title.icon = listIcon;
    widget.title.caption = trans.__('Notebook Jobs');
    widget.node.textContent = trans.__('Notebook Jobs');
    app.shell.add(widget, 'left', { rank: 600 });

    app.commands.addCommand(CommandIDs.openSidebar, {
      label: trans.__('Show Notebook Jobs'),
      execute: () => app.shell.activateById(SIDEBAR_ID)
    });
  }
};
