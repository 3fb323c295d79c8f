import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';

import { JobActions } from '../actions';
import { IJob } from '../api/types';
import { JobWatcher } from '../model/watcher';
import { CommandIDs, INbJobs } from '../tokens';

/** A notification when a job started from this browser finishes or fails. */
export const notificationsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbjobs:notifications',
  description: 'Notify when a job you started ends, with an action to open its output.',
  autoStart: true,
  requires: [INbJobs],
  activate: (app: JupyterFrontEnd, service: INbJobs) => {
    const { trans } = service;
    const actions = new JobActions(app, service);
    const watcher = new JobWatcher(
      service.client,
      () => service.settings.refreshInterval * 1000
    );
    service.jobStarted.connect((_, job) => watcher.watch(job));
    watcher.finished.connect((_, job: IJob) => {
      if (!service.settings.notifications) {
        return;
      }
      const details = {
        label: trans.__('Details'),
        callback: () => void app.commands.execute(CommandIDs.openJob, { id: job.id })
      };
      const openOutput = {
        label: trans.__('Open output'),
        callback: () => void actions.openOutput(job),
        displayType: 'accent' as const
      };
      if (job.status === 'completed') {
        Notification.success(trans.__('Job "%1" completed.', job.name), {
          autoClose: 10000,
          actions: [openOutput, details]
        });
      } else if (job.status === 'failed') {
        const why = job.error?.ename
          ? `${job.error.ename}: ${job.error.evalue ?? ''}`
          : (job.error?.message ?? '');
        Notification.error(trans.__('Job "%1" failed. %2', job.name, why), {
          autoClose: false,
          actions: [openOutput, details]
        });
      } else {
        Notification.info(trans.__('Job "%1" stopped.', job.name), {
          autoClose: 5000,
          actions: [details]
        });
      }
    });
  }
};
