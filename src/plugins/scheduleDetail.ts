import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { historyIcon } from '@jupyterlab/ui-components';

import { JobActions, ScheduleActions } from '../actions';
import { ScheduleDetailModel } from '../model/schedules';
import { CommandIDs, INbJobs } from '../tokens';
import { ScheduleDetailWidget } from '../widgets/ScheduleDetailWidget';

/** The schedule detail view in the main area (command nbjobs:open-schedule {id}). */
export const scheduleDetailPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbjobs:schedule-detail',
  description: 'Schedule details: cron in words, next runs, edit, pause/resume, runs.',
  autoStart: true,
  requires: [INbJobs],
  optional: [ILayoutRestorer],
  activate: (app: JupyterFrontEnd, service: INbJobs, restorer: ILayoutRestorer | null) => {
    const { trans } = service;
    const actions = new ScheduleActions(app, service);
    const jobActions = new JobActions(app, service);
    const tracker = new WidgetTracker<MainAreaWidget<ScheduleDetailWidget>>({
      namespace: 'nbjobs-schedule'
    });
    app.commands.addCommand(CommandIDs.openSchedule, {
      label: trans.__('Open Schedule'),
      describedBy: {
        args: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }
      },
      execute: args => {
        const id = String(args.id ?? '');
        if (!id) {
          return;
        }
        let widget = tracker.find(w => w.content.scheduleId === id);
        if (!widget) {
          const model = new ScheduleDetailModel({
            client: service.client,
            scheduleId: id,
            interval: service.settings.refreshInterval * 1000
          });
          const content = new ScheduleDetailWidget(model, actions, jobActions, service);
          widget = new MainAreaWidget({ content });
          widget.id = `jp-nbjobs-schedule-${id}`;
          widget.title.label = trans.__('Schedule');
          widget.title.icon = historyIcon;
          widget.title.closable = true;
          void tracker.add(widget);
          app.shell.add(widget, 'main');
        }
        app.shell.activateById(widget.id);
      }
    });
    restorer?.restore(tracker, {
      command: CommandIDs.openSchedule,
      args: w => ({ id: w.content.scheduleId }),
      name: w => w.content.scheduleId
    });
  }
};
