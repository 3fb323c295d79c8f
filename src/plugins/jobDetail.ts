import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';

import { nbjobsIcon } from '../icons';
import { JobActions } from '../actions';
import { JobDetailModel } from '../model/jobDetail';
import { CommandIDs, INbJobs } from '../tokens';
import { JobDetailWidget } from '../widgets/JobDetailWidget';

/** The job detail view in the main area (command nbjobs:open-job {id, tab}). */
export const jobDetailPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbjobs:job-detail',
  description: 'Job details: parameters, times, attempts, error, log and outputs.',
  autoStart: true,
  requires: [INbJobs],
  optional: [ILayoutRestorer],
  activate: (app: JupyterFrontEnd, service: INbJobs, restorer: ILayoutRestorer | null) => {
    const { trans } = service;
    const actions = new JobActions(app, service);
    const tracker = new WidgetTracker<MainAreaWidget<JobDetailWidget>>({
      namespace: 'nbjobs-job'
    });

    app.commands.addCommand(CommandIDs.openJob, {
      label: args => (args.id ? trans.__('Job %1', args.id) : trans.__('Open Job')),
      describedBy: {
        args: {
          type: 'object',
          properties: { id: { type: 'string' }, tab: { type: 'string' } },
          required: ['id']
        }
      },
      execute: args => {
        const id = String(args.id ?? '');
        if (!id) {
          return;
        }
        let widget = tracker.find(w => w.content.jobId === id);
        if (!widget) {
          const model = new JobDetailModel({
            client: service.client,
            jobId: id,
            interval: service.settings.refreshInterval * 1000
          });
          const content = new JobDetailWidget(model, actions, service);
          widget = new MainAreaWidget({ content });
          widget.id = `jp-nbjobs-job-${id}`;
          widget.title.label = trans.__('Job');
          widget.title.icon = nbjobsIcon;
          widget.title.closable = true;
          void tracker.add(widget);
          app.shell.add(widget, 'main');
        }
        if (args.tab === 'log') {
          widget.content.focusLog();
        }
        app.shell.activateById(widget.id);
        return widget;
      }
    });

    restorer?.restore(tracker, {
      command: CommandIDs.openJob,
      args: w => ({ id: w.content.jobId }),
      name: w => w.content.jobId
    });
  }
};
