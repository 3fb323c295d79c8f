import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { Signal } from '@lumino/signaling';

import { InstanceActions } from '../actions/instances';
import { InstancesClient } from '../api/instances';
import {
  DEFAULT_INSTANCES_SETTINGS,
  IInstancesSettings,
  INbInstances,
  InstanceCommandIDs,
  INSTANCES_PLUGIN_ID
} from '../instanceTokens';
import { IInstanceEvent, InstanceWatcher } from '../model/instanceWatcher';
import { INbJobs } from '../tokens';

/**
 * The notebook-instances client, actions and watcher, their settings
 * (schema/instances.json), and the notifications about instances started from here.
 */
export const instancesPlugin: JupyterFrontEndPlugin<INbInstances> = {
  id: INSTANCES_PLUGIN_ID,
  description: 'SageMaker notebook instances of projects: client, actions, notifications.',
  autoStart: true,
  requires: [INbJobs],
  optional: [ISettingRegistry],
  provides: INbInstances,
  activate: (
    app: JupyterFrontEnd,
    jobs: INbJobs,
    registry: ISettingRegistry | null
  ): INbInstances => {
    const { trans } = jobs;
    const client = new InstancesClient(jobs.client);
    const service = new Service(client, trans);
    const watcher = new InstanceWatcher(client, () => service.settings.refreshInterval * 1000);
    service.watcher = watcher;
    service.actions = new InstanceActions(app, client, watcher, trans);
    watcher.event.connect((_, event) => notify(app, service, event));
    if (registry) {
      void registry
        .load(INSTANCES_PLUGIN_ID)
        .then(settings => {
          const apply = () => service.apply(settings.composite as any);
          settings.changed.connect(apply);
          apply();
        })
        .catch(reason => console.warn('nbjobs: could not load instance settings', reason));
    }
    return service;
  }
};

class Service implements INbInstances {
  constructor(
    readonly client: InstancesClient,
    readonly trans: INbInstances['trans']
  ) {
    // One read at start: a server without notebook instances gets no tab and no commands.
    this.enabled = client.me().then(
      me => me.instances_enabled,
      () => false
    );
  }

  readonly enabled: Promise<boolean>;
  actions!: InstanceActions;
  watcher!: InstanceWatcher;
  settings: IInstancesSettings = { ...DEFAULT_INSTANCES_SETTINGS };
  readonly settingsChanged: Signal<INbInstances, IInstancesSettings> = new Signal(this);

  apply(values: Partial<IInstancesSettings>): void {
    this.settings = { ...DEFAULT_INSTANCES_SETTINGS, ...values };
    this.settingsChanged.emit(this.settings);
  }
}

function notify(app: JupyterFrontEnd, service: INbInstances, event: IInstanceEvent): void {
  if (!service.settings.notifications) {
    return;
  }
  const { trans, actions } = service;
  const { instance } = event;
  const details = {
    label: trans.__('Details'),
    callback: () =>
      void app.commands.execute(InstanceCommandIDs.openInstance, { name: instance.name })
  };
  if (event.kind === 'in-service') {
    const open = {
      label: trans.__('Open JupyterLab'),
      callback: () => void actions.open(instance),
      displayType: 'accent' as const
    };
    Notification.success(trans.__('Notebook instance "%1" is in service.', instance.name), {
      autoClose: 15000,
      actions: instance.actions.includes('open') ? [open, details] : [details]
    });
  } else if (event.kind === 'failed') {
    Notification.error(
      trans.__(
        'Notebook instance "%1" failed. %2',
        instance.name,
        instance.failure_reason ?? ''
      ),
      { autoClose: false, actions: [details] }
    );
  } else if (event.kind === 'auto-stopped') {
    Notification.info(
      trans.__('Notebook instance "%1" was stopped automatically (auto-stop).', instance.name),
      { autoClose: 10000, actions: [details] }
    );
  } else {
    Notification.info(
      trans.__('Notebook instance "%1" was stopped by someone else.', instance.name),
      { autoClose: 10000, actions: [details] }
    );
  }
}
