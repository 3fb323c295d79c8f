/** What the notebook-instances plugins share: commands, settings and the service token. */
import { TranslationBundle } from '@jupyterlab/translation';
import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

import type { InstanceActions } from './actions/instances';
import type { InstancesClient } from './api/instances';
import type { InstanceWatcher } from './model/instanceWatcher';

export namespace InstanceCommandIDs {
  export const openInstance = 'nbjobs:open-instance';
  export const createInstance = 'nbjobs:create-instance';
  export const editInstance = 'nbjobs:edit-instance';
  export const manageProjects = 'nbjobs:manage-projects';
}

/** The plugin whose settings are schema/instances.json. */
export const INSTANCES_PLUGIN_ID = 'jupyterlab-nbjobs:instances';

/** User settings of the notebook-instances views (schema/instances.json). */
export interface IInstancesSettings {
  /** Seconds between reads while an instance shown is changing state. */
  refreshInterval: number;
  /** Notify when an instance started here is in service, failed, or was auto-stopped. */
  notifications: boolean;
  /** Log events read per page in the detail view. */
  logPageSize: number;
}

export const DEFAULT_INSTANCES_SETTINGS: IInstancesSettings = {
  refreshInterval: 5,
  notifications: true,
  logPageSize: 100
};

export interface INbInstances {
  readonly client: InstancesClient;
  readonly actions: InstanceActions;
  readonly watcher: InstanceWatcher;
  readonly settings: IInstancesSettings;
  readonly settingsChanged: ISignal<INbInstances, IInstancesSettings>;
  readonly trans: TranslationBundle;
  /** Whether the server manages notebook instances (GET me, read once at start). */
  readonly enabled: Promise<boolean>;
}

export const INbInstances = new Token<INbInstances>(
  'jupyterlab-nbjobs:INbInstances',
  'The notebook-instances client, actions and watcher.'
);
