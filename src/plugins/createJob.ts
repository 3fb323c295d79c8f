import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { MainAreaWidget, Notification } from '@jupyterlab/apputils';
import { nbjobsIcon } from '../icons';

import { Created } from '../model/createJob';
import { CommandIDs, INbJobs } from '../tokens';
import { CreateJobWidget } from '../widgets/CreateJobWidget';

/** The create-job form in the main area (command nbjobs:create-job {path}). */
export const createJobPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbjobs:create-job',
  description: 'The create-job form: run now, on a schedule, or as a parameter sweep.',
  autoStart: true,
  requires: [INbJobs],
  activate: (app: JupyterFrontEnd, service: INbJobs) => {
    const { trans } = service;
    let counter = 0;
    const forms = new Map<string, MainAreaWidget<CreateJobWidget>>();

    const onCreated = async (
      widget: MainAreaWidget<CreateJobWidget>,
      created: Created
    ) => {
      widget.close();
      if (created.kind === 'job') {
        service.started(created.job);
        Notification.success(trans.__('Job "%1" created.', created.job.name), {
          autoClose: 3000
        });
        await app.commands.execute(CommandIDs.openSidebar, { tab: 'jobs' });
      } else if (created.kind === 'schedule') {
        Notification.success(
          trans.__('Schedule "%1" created.', created.schedule.name),
          { autoClose: 3000 }
        );
        await app.commands.execute(CommandIDs.openSidebar, { tab: 'schedules' });
      } else {
        const ids = created.sweep.items.map(i => i.job_id).filter(Boolean) as string[];
        for (const id of ids) {
          void service.client.getJob(id).then(job => service.started(job), () => undefined);
        }
        if (!service.settings.notifications) {
          // Otherwise the sweep's own notification (notifications plugin) says it.
          Notification.success(
            trans.__('Sweep "%1" started %2 jobs.', created.sweep.name, ids.length),
            { autoClose: 3000 }
          );
        }
        await app.commands.execute(CommandIDs.openSidebar, { tab: 'jobs' });
      }
    };

    app.commands.addCommand(CommandIDs.createJob, {
      label: trans.__('Create Notebook Job…'),
      icon: nbjobsIcon,
      describedBy: {
        args: {
          type: 'object',
          properties: { path: { type: 'string' } },
          required: ['path']
        }
      },
      execute: args => {
        const path = String(args.path ?? '');
        // One form per notebook: asking again shows the form already open.
        const open = forms.get(path);
        if (open && !open.isDisposed) {
          app.shell.activateById(open.id);
          return open;
        }
        const content = new CreateJobWidget(service, path, created =>
          void onCreated(widget, created)
        );
        const widget = new MainAreaWidget({ content });
        widget.id = `jp-nbjobs-create-${++counter}`;
        widget.title.label = trans.__('New Job: %1', path.split('/').pop() ?? path);
        widget.title.icon = nbjobsIcon;
        widget.title.closable = true;
        forms.set(path, widget);
        widget.disposed.connect(() => {
          if (forms.get(path) === widget) {
            forms.delete(path);
          }
        });
        app.shell.add(widget, 'main');
        app.shell.activateById(widget.id);
        return widget;
      }
    });
  }
};
