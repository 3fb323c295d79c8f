import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, ICommandPalette, showDialog } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { nbjobsIcon } from '../icons';

import { CommandIDs, INbJobs } from '../tokens';

/**
 * Create a job from the notebook that is open and current (not the file browser's
 * selection): notebook toolbar button, command palette and File menu (schema/notebook.json).
 * Unsaved changes would not be in the job's snapshot, so it offers to save first.
 */
export const notebookPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbjobs:notebook',
  description: 'Create a job from the current notebook (toolbar, palette, File menu).',
  autoStart: true,
  requires: [INbJobs, INotebookTracker],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    service: INbJobs,
    notebooks: INotebookTracker,
    palette: ICommandPalette | null
  ) => {
    const { trans } = service;
    app.commands.addCommand(CommandIDs.createFromNotebook, {
      label: args =>
        args.toolbar ? '' : trans.__('Create Notebook Job from Current Notebook'),
      caption: trans.__('Create a notebook job from this notebook'),
      icon: nbjobsIcon,
      isEnabled: () => notebooks.currentWidget !== null,
      execute: async () => {
        const panel = notebooks.currentWidget;
        if (!panel) {
          return;
        }
        const context = panel.context;
        if (context.model.dirty) {
          const answer = await showDialog({
            title: trans.__('Save the notebook?'),
            body: trans.__(
              'The job runs the saved notebook. Save your changes before creating the job?'
            ),
            buttons: [
              Dialog.cancelButton({ label: trans.__('Cancel') }),
              Dialog.okButton({ label: trans.__('Continue without saving'), displayType: 'default' }),
              Dialog.okButton({ label: trans.__('Save') })
            ],
            defaultButton: 2
          });
          if (!answer.button.accept) {
            return;
          }
          if (answer.button.label === trans.__('Save')) {
            await context.save();
          }
        }
        return app.commands.execute(CommandIDs.createJob, { path: context.path });
      }
    });
    palette?.addItem({
      command: CommandIDs.createFromNotebook,
      category: trans.__('Notebook Jobs')
    });
  }
};
