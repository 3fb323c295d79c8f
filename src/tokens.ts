import { TranslationBundle } from '@jupyterlab/translation';
import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

import { NbJobsClient } from './api/client';
import { IJob } from './api/types';
import { JobListModel } from './model/jobList';

/** Command ids, shared by every plugin of the extension. */
export namespace CommandIDs {
  export const openSidebar = 'nbjobs:open-sidebar';
  export const createJob = 'nbjobs:create-job';
  export const createFromFile = 'nbjobs:create-from-file';
  export const createFromNotebook = 'nbjobs:create-from-notebook';
  export const openJob = 'nbjobs:open-job';
  export const openSchedule = 'nbjobs:open-schedule';
  export const refresh = 'nbjobs:refresh';
}

/** The id of the left-area sidebar widget. */
export const SIDEBAR_ID = 'jp-nbjobs-sidebar';

/** Plugin id that owns the settings in schema/plugin.json. */
export const SETTINGS_PLUGIN_ID = 'jupyterlab-nbjobs:plugin';

/** User settings (schema/plugin.json). */
export interface INbJobsSettings {
  refreshInterval: number;
  notifications: boolean;
  defaultOutputFormats: string[];
  defaultBackend: string;
}

export const DEFAULT_SETTINGS: INbJobsSettings = {
  refreshInterval: 3,
  notifications: true,
  defaultOutputFormats: ['ipynb'],
  defaultBackend: ''
};

/** What the core plugin shares with the others. */
export interface INbJobs {
  readonly client: NbJobsClient;
  readonly jobs: JobListModel;
  readonly settings: INbJobsSettings;
  readonly settingsChanged: ISignal<INbJobs, INbJobsSettings>;
  readonly trans: TranslationBundle;
  /** Emitted for each job this browser session created (notifications watch them). */
  readonly jobStarted: ISignal<INbJobs, IJob>;
  /** Record a job created here: it shows at once in the list and is watched. */
  started(job: IJob): void;
}

export const INbJobs = new Token<INbJobs>(
  'jupyterlab-nbjobs:INbJobs',
  'The nbjobs REST client, job list model and settings.'
);
