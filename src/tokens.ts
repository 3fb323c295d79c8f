import { Token } from '@lumino/coreutils';

/** Command ids, shared by every plugin of the extension. */
export namespace CommandIDs {
  export const openSidebar = 'nbjobs:open-sidebar';
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

export const INbJobsPlaceholder = new Token<unknown>('jupyterlab-nbjobs:placeholder');
