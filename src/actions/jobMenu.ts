import { CommandRegistry } from '@lumino/commands';
import { Menu } from '@lumino/widgets';
import {
  deleteIcon,
  downloadIcon,
  fileIcon,
  launchIcon,
  notebookIcon,
  refreshIcon,
  stopIcon,
  textEditorIcon
} from '@jupyterlab/ui-components';

import { IJob, isFinal } from '../api/types';
import type { JobActions } from './jobs';

/** The actions of a job's menu, always in this order; those that do not apply are disabled. */
export const JOB_MENU_ITEMS = [
  'view-executed',
  'open-output',
  'details',
  'log',
  'download',
  'rerun',
  'stop',
  'open-input',
  'delete'
] as const;

export type JobMenuItem = (typeof JOB_MENU_ITEMS)[number];

/**
 * A labelled menu of what can be done to a job (right-click on its row, or its "…"
 * button): stable positions, so a user's hand learns them whatever the status.
 */
export function openJobMenu(actions: JobActions, job: IJob, x: number, y: number): Menu {
  const { trans } = actions;
  const commands = new CommandRegistry();
  const final = isFinal(job.status);
  const add = (
    id: JobMenuItem,
    label: string,
    icon: typeof stopIcon,
    execute: () => void,
    enabled = true
  ) => {
    commands.addCommand(id, { label, icon, isEnabled: () => enabled, execute });
  };
  add('view-executed', trans.__('View executed notebook'), notebookIcon,
    () => void actions.viewExecuted(job), final);
  add('open-output', trans.__('Open as notebook'), notebookIcon,
    () => void actions.openOutput(job), final);
  add('details', trans.__('Details'), launchIcon, () => actions.openDetail(job));
  add('log', trans.__('View log'), textEditorIcon, () => actions.openDetail(job, 'log'));
  add('download', trans.__('Download outputs (zip)'), downloadIcon,
    () => actions.downloadAll(job), final);
  add('rerun', trans.__('Rerun…'), refreshIcon, () => void actions.rerun(job), final);
  add('stop', trans.__('Stop'), stopIcon, () => void actions.stop([job]), !final);
  add('open-input', trans.__('Open input notebook'), fileIcon, () => actions.openInput(job));
  add('delete', trans.__('Delete…'), deleteIcon, () => void actions.remove([job]));

  const menu = new Menu({ commands });
  menu.addClass('jp-NbJobs-jobMenu');
  menu.title.label = trans.__('Actions of %1', job.name);
  JOB_MENU_ITEMS.forEach((command, i) => {
    if (i === 2 || i === 5 || i === 8) {
      menu.addItem({ type: 'separator' });
    }
    menu.addItem({ command });
  });
  menu.aboutToClose.connect(() => {
    // Closing runs before the chosen item executes: dispose once that is done.
    requestAnimationFrame(() => menu.dispose());
  });
  menu.open(x, y);
  return menu;
}
