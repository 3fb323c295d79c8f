import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { usersIcon } from '@jupyterlab/ui-components';

import { guard } from '../actions/notify';
import { IInstance } from '../api/instanceTypes';
import { instanceIcon } from '../instanceIcon';
import { INbInstances, InstanceCommandIDs } from '../instanceTokens';
import { InstanceDetailModel } from '../model/instanceDetail';
import { InstanceEditorModel } from '../model/instanceEditor';
import { ProjectListModel } from '../model/projects';
import { CommandIDs } from '../tokens';
import {
  InstanceDetailWidget,
  InstanceFormWidget,
  ProjectsWidget
} from '../widgets/InstanceWidgets';

const stringArgs = (names: string[], required: string[] = []) => ({
  args: {
    type: 'object',
    properties: Object.fromEntries(names.map(n => [n, { type: 'string' }])),
    required
  }
});

/**
 * The notebook-instance views in the main area: the detail (nbjobs:open-instance {name,
 * tab}), the create and edit forms (nbjobs:create-instance {project}, nbjobs:edit-instance
 * {name}) and the projects view (nbjobs:manage-projects).
 */
export const instanceViewsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbjobs:instance-views',
  description: 'Notebook instance detail and log, create/edit form, and projects.',
  autoStart: true,
  requires: [INbInstances],
  optional: [ILayoutRestorer, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    service: INbInstances,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null
  ) => {
    const { trans, actions } = service;
    const interval = () => service.settings.refreshInterval * 1000;
    const details = new WidgetTracker<MainAreaWidget<InstanceDetailWidget>>({
      namespace: 'nbjobs-instance'
    });
    const forms = new WidgetTracker<MainAreaWidget<InstanceFormWidget>>({
      namespace: 'nbjobs-instance-form'
    });
    let projects: MainAreaWidget<ProjectsWidget> | null = null;
    let counter = 0;

    app.commands.addCommand(InstanceCommandIDs.openInstance, {
      label: args =>
        args.name ? trans.__('Notebook Instance %1', args.name) : trans.__('Open Notebook Instance'),
      describedBy: stringArgs(['name', 'tab'], ['name']),
      execute: args => {
        const name = String(args.name ?? '');
        if (!name) {
          return;
        }
        let widget = details.find(w => w.content.instanceName === name);
        if (!widget) {
          const model = new InstanceDetailModel({
            client: service.client,
            name,
            interval: interval(),
            logPageSize: service.settings.logPageSize
          });
          const content = new InstanceDetailWidget(model, service);
          widget = new MainAreaWidget({ content });
          widget.id = `jp-nbjobs-instance-${name}`;
          widget.title.label = name;
          widget.title.caption = trans.__('Notebook instance %1', name);
          widget.title.icon = instanceIcon;
          widget.title.closable = true;
          void details.add(widget);
          app.shell.add(widget, 'main');
        }
        if (args.tab === 'logs') {
          widget.content.focusLog();
        }
        app.shell.activateById(widget.id);
        return widget;
      }
    });

    const openForm = (instance: IInstance | null, project: string | null) => {
      const existing = instance && forms.find(w => w.content.instanceName === instance.name);
      if (existing) {
        app.shell.activateById(existing.id);
        return existing;
      }
      const model = new InstanceEditorModel(service.client, instance);
      const content = new InstanceFormWidget(service, model, project, done => {
        widget.close();
        if (instance) {
          actions.updated(done);
          Notification.success(trans.__('Notebook instance "%1" saved.', done.name), {
            autoClose: 3000
          });
        } else {
          actions.created(done);
          Notification.success(
            trans.__('Notebook instance "%1" is being created.', done.name),
            { autoClose: 3000 }
          );
          void app.commands.execute(CommandIDs.openSidebar, { tab: 'instances' });
        }
      });
      const widget = new MainAreaWidget({ content });
      widget.id = `jp-nbjobs-instance-form-${++counter}`;
      widget.title.label = instance
        ? trans.__('Edit %1', instance.name)
        : trans.__('New Notebook Instance');
      widget.title.icon = instanceIcon;
      widget.title.closable = true;
      void forms.add(widget);
      app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      return widget;
    };

    app.commands.addCommand(InstanceCommandIDs.createInstance, {
      label: trans.__('New Notebook Instance…'),
      icon: instanceIcon,
      describedBy: stringArgs(['project']),
      execute: args => openForm(null, args.project ? String(args.project) : null)
    });

    app.commands.addCommand(InstanceCommandIDs.editInstance, {
      label: trans.__('Edit Notebook Instance…'),
      describedBy: stringArgs(['name'], ['name']),
      execute: async args => {
        const name = String(args.name ?? '');
        // The form starts from the instance as it is now, with what may change now.
        const instance = name ? await guard(() => service.client.getInstance(name)) : undefined;
        return instance ? openForm(instance, instance.project) : undefined;
      }
    });

    app.commands.addCommand(InstanceCommandIDs.manageProjects, {
      label: trans.__('Notebook Instance Projects'),
      icon: usersIcon,
      execute: () => {
        if (!projects || projects.isDisposed) {
          const model = new ProjectListModel({ client: service.client, interval: interval() });
          projects = new MainAreaWidget({ content: new ProjectsWidget(model, service) });
          projects.id = 'jp-nbjobs-projects';
          projects.title.label = trans.__('Projects');
          projects.title.icon = usersIcon;
          projects.title.closable = true;
          app.shell.add(projects, 'main');
        }
        app.shell.activateById(projects.id);
        return projects;
      }
    });

    void service.enabled.then(enabled => {
      for (const command of [InstanceCommandIDs.createInstance, InstanceCommandIDs.manageProjects]) {
        if (enabled) {
          palette?.addItem({ command, category: trans.__('Notebook Jobs') });
        }
      }
    });

    restorer?.restore(details, {
      command: InstanceCommandIDs.openInstance,
      args: w => ({ name: w.content.instanceName }),
      name: w => w.content.instanceName
    });
  }
};
