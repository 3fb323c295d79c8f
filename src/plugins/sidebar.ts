import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';

import { SidebarTabs } from '../model/sidebarTabs';
import { CommandIDs, INbJobs, ISidebarTabs, SIDEBAR_ID } from '../tokens';
import { SidebarWidget } from '../widgets/SidebarWidget';

/**
 * The notebook jobs sidebar in the left area. Its tabs are registered through the
 * ISidebarTabs it provides (Jobs and Schedules by their own plugins).
 */
export const sidebarPlugin: JupyterFrontEndPlugin<ISidebarTabs> = {
  id: 'jupyterlab-nbjobs:sidebar',
  description: 'The notebook jobs sidebar, with the tabs other plugins register.',
  autoStart: true,
  requires: [INbJobs],
  optional: [ILayoutRestorer, ICommandPalette],
  provides: ISidebarTabs,
  activate: (
    app: JupyterFrontEnd,
    service: INbJobs,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ): ISidebarTabs => {
    const { trans } = service;
    const tabs = new SidebarTabs();
    const widget = new SidebarWidget(tabs, trans);
    app.shell.add(widget, 'left', { rank: 600 });
    restorer?.add(widget, SIDEBAR_ID);

    app.commands.addCommand(CommandIDs.openSidebar, {
      label: trans.__('Show Notebook Jobs'),
      caption: trans.__('Open the notebook jobs sidebar'),
      describedBy: {
        args: { type: 'object', properties: { tab: { type: 'string' } } }
      },
      execute: args => {
        const tab = typeof args.tab === 'string' ? args.tab : '';
        if (tabs.has(tab)) {
          widget.tab = tab;
        }
        app.shell.activateById(SIDEBAR_ID);
      }
    });
    palette?.addItem({ command: CommandIDs.openSidebar, category: trans.__('Notebook Jobs') });
    return tabs;
  }
};
