import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { MainAreaWidget, Notification } from '@jupyterlab/apputils';
import { nbjobsIcon } from '../icons';

import { IJob, IJobRerun, ISchedule } from '../api/types';
import { Created, IRunAgain } from '../model/createJob';
import { guard } from '../actions/notify';
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
        return openForm(path, trans.__('New Job: %1', path.split('/').pop() ?? path), path);
      }
    });

    /** One form per key: asking again shows the form already open. */
    const openForm = (key: string, label: string, path: string, again?: IRunAgain) => {
      const open = forms.get(key);
      if (open && !open.isDisposed) {
        app.shell.activateById(open.id);
        return open;
      }
      const content = new CreateJobWidget(
        service,
        path,
        created => void onCreated(widget, created),
        again
      );
      const widget = new MainAreaWidget({ content });
      widget.id = `jp-nbjobs-create-${++counter}`;
      widget.title.label = label;
      widget.title.icon = nbjobsIcon;
      widget.title.closable = true;
      forms.set(key, widget);
      widget.disposed.connect(() => {
        if (forms.get(key) === widget) {
          forms.delete(key);
        }
      });
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      return widget;
    };

    const idArgs = {
      args: {
        type: 'object' as const,
        properties: { id: { type: 'string' as const } },
        required: ['id']
      }
    };

    app.commands.addCommand(CommandIDs.rerunJob, {
      label: trans.__('Rerun…'),
      caption: trans.__('Run this job again from its snapshot, its settings in the job form'),
      describedBy: idArgs,
      execute: async args => {
        const id = String(args.id ?? '');
        const job: IJob | undefined = await guard(() => service.client.getJob(id));
        if (!job) {
          return;
        }
        return openForm(`rerun:${id}`, trans.__('Rerun: %1', job.name), job.input_path, {
          settings: job,
          title: trans.__('Rerun "%1"', job.name),
          submitLabel: trans.__('Rerun'),
          run: (changes: IJobRerun) => service.client.rerunJob(id, changes)
        });
      }
    });

    app.commands.addCommand(CommandIDs.runScheduleWith, {
      label: trans.__('Run now with settings…'),
      caption: trans.__("One run of this schedule now, its settings in the job form"),
      describedBy: idArgs,
      execute: async args => {
        const id = String(args.id ?? '');
        const schedule: ISchedule | undefined = await guard(() =>
          service.client.getSchedule(id)
        );
        if (!schedule) {
          return;
        }
        return openForm(`run:${id}`, trans.__('Run: %1', schedule.name), schedule.input_path, {
          settings: schedule,
          title: trans.__('Run "%1" now', schedule.name),
          submitLabel: trans.__('Run now'),
          run: async (changes: IJobRerun) => {
            const result = await service.client.runSchedule(id, changes);
            for (const warning of result.warnings) {
              Notification.warning(warning, { autoClose: 6000 });
            }
            return result.job;
          }
        });
      }
    });
  }
};
