import { TranslationBundle } from '@jupyterlab/translation';
import { Token } from '@lumino/coreutils';
import { IDisposable } from '@lumino/disposable';
import { ISignal } from '@lumino/signaling';
import type { ReactElement } from 'react';

import { NbJobsClient } from './api/client';
import { IJob } from './api/types';
import { DisplayNames } from './model/displayNames';
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
  export const compareRuns = 'nbjobs:compare-runs';
  export const rerunJob = 'nbjobs:rerun-job';
  export const runScheduleWith = 'nbjobs:run-schedule-with';
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
  /** Kernels' and backends' display names, as the server's environments give them. */
  readonly names: DisplayNames;
  /** Emitted for each job this browser session created (notifications watch them). */
  readonly jobStarted: ISignal<INbJobs, IJob>;
  /** Record a job created here: it shows at once in the list and is watched. */
  started(job: IJob): void;
}

export const INbJobs = new Token<INbJobs>(
  'jupyterlab-nbjobs:INbJobs',
  'The nbjobs REST client, job list model and settings.'
);

/** A tab of the notebook jobs sidebar (Jobs, Schedules, ...). */
export interface ISidebarTab {
  /** Unique: the `tab` argument of nbjobs:open-sidebar; the button is `jp-nbjobs-tab-<id>`. */
  id: string;
  /** The tab's label, already translated. */
  label: string;
  /** Tabs are ordered by rank, lowest first (Jobs 100, Schedules 200); default 500. */
  rank?: number;
  /**
   * The tab's panel. `shown` is true while it is the current tab of the visible sidebar:
   * the panel's model should poll only then.
   */
  render(shown: boolean): ReactElement;
}

/** The sidebar's tabs. A plugin adds a panel to the sidebar with one `add`. */
export interface ISidebarTabs {
  /** Register a tab; disposing the result removes it. */
  add(tab: ISidebarTab): IDisposable;
  has(id: string): boolean;
  /** The tabs in display order. */
  readonly tabs: readonly ISidebarTab[];
  /** Emitted when a tab is added or removed. */
  readonly changed: ISignal<ISidebarTabs, void>;
}

export const ISidebarTabs = new Token<ISidebarTabs>(
  'jupyterlab-nbjobs:ISidebarTabs',
  'The tabs of the notebook jobs sidebar: add a tab to show a new panel there.'
);
