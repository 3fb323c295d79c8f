import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { nbjobsIcon } from '../icons';

import { CommandIDs, INbJobs } from '../tokens';

/**
 * "Create notebook job" in the file browser's context menu, for the notebook that was
 * right-clicked. The menu entry is declared in schema/file-browser.json.
 */
export const fileBrowserPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbjobs:file-browser',
  description: 'File browser context menu entry: Create notebook job.',
  autoStart: true,
  requires: [INbJobs, IDefaultFileBrowser],
  activate: (app: JupyterFrontEnd, service: INbJobs, browser: IDefaultFileBrowser) => {
    const { trans } = service;
    const selectedNotebook = (): string | null => {
      const item = browser.selectedItems().next();
      const model = item && !item.done ? item.value : null;
      return model && model.type === 'notebook' ? model.path : null;
    };
    app.commands.addCommand(CommandIDs.createFromFile, {
      label: trans.__('Create Notebook Job'),
      caption: trans.__('Run this notebook as a job, now or on a schedule'),
      icon: nbjobsIcon,
      isVisible: () => selectedNotebook() !== null,
      execute: () => {
        const path = selectedNotebook();
        if (path) {
          return app.commands.execute(CommandIDs.createJob, { path });
        }
      }
    });
  }
};
