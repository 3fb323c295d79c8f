import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { tableRowsIcon } from '@jupyterlab/ui-components';

import { JobActions } from '../actions';
import { ComparisonModel } from '../model/comparison';
import { CommandIDs, INbJobs } from '../tokens';
import { ComparisonWidget } from '../widgets/ComparisonWidget';

/**
 * Runs side by side in the main area: nbjobs:compare-runs {sweep_id} or {schedule_id},
 * with an optional title (the sweep's or schedule's name).
 */
export const comparisonPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbjobs:comparison',
  description: "A sweep's or a schedule's runs side by side, with the values each recorded.",
  autoStart: true,
  requires: [INbJobs],
  optional: [ILayoutRestorer],
  activate: (app: JupyterFrontEnd, service: INbJobs, restorer: ILayoutRestorer | null) => {
    const { trans } = service;
    const actions = new JobActions(app, service);
    const tracker = new WidgetTracker<MainAreaWidget<ComparisonWidget>>({
      namespace: 'nbjobs-comparison'
    });
    app.commands.addCommand(CommandIDs.compareRuns, {
      label: trans.__('Compare Runs'),
      describedBy: {
        args: {
          type: 'object',
          properties: {
            sweep_id: { type: 'string' },
            schedule_id: { type: 'string' },
            title: { type: 'string' }
          }
        }
      },
      execute: args => {
        const sweepId = typeof args.sweep_id === 'string' ? args.sweep_id : '';
        const scheduleId = typeof args.schedule_id === 'string' ? args.schedule_id : '';
        if (!sweepId && !scheduleId) {
          return;
        }
        const of = sweepId ? { sweepId } : { scheduleId };
        const id = `jp-nbjobs-compare-${sweepId ? 'sweep' : 'schedule'}-${sweepId || scheduleId}`;
        let widget = tracker.find(w => w.id === id);
        if (!widget) {
          const model = new ComparisonModel({
            client: service.client,
            of,
            interval: service.settings.refreshInterval * 1000
          });
          widget = new MainAreaWidget({ content: new ComparisonWidget(model, actions, service) });
          widget.id = id;
          const title = typeof args.title === 'string' && args.title ? args.title : '';
          widget.title.label = title
            ? trans.__('Compare: %1', title)
            : trans.__('Compare runs');
          widget.title.caption = trans.__('Runs side by side, with the values each recorded');
          widget.title.icon = tableRowsIcon;
          widget.title.closable = true;
          void tracker.add(widget);
          app.shell.add(widget, 'main');
        }
        app.shell.activateById(widget.id);
      }
    });
    restorer?.restore(tracker, {
      command: CommandIDs.compareRuns,
      args: w => ({
        sweep_id: w.content.model.of.sweepId ?? '',
        schedule_id: w.content.model.of.scheduleId ?? '',
        title: w.title.label.replace(/^[^:]*: /, '')
      }),
      name: w => w.id
    });
  }
};
