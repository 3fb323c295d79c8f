import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';

import { NbJobsClient } from '../api/client';
import { IJob } from '../api/types';
import { DisplayNames } from '../model/displayNames';
import { JobListModel } from '../model/jobList';
import { DEFAULT_SETTINGS, INbJobs, INbJobsSettings, SETTINGS_PLUGIN_ID } from '../tokens';

/** The REST client, the job list model and the settings, shared by the other plugins. */
export const corePlugin: JupyterFrontEndPlugin<INbJobs> = {
  id: SETTINGS_PLUGIN_ID,
  description: 'The nbjobs REST client, job list model and settings.',
  autoStart: true,
  provides: INbJobs,
  optional: [ISettingRegistry, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    registry: ISettingRegistry | null,
    translator: ITranslator | null
  ): INbJobs => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_nbjobs');
    const client = new NbJobsClient({ serverSettings: app.serviceManager.serverSettings });
    const jobs = new JobListModel({ client, interval: DEFAULT_SETTINGS.refreshInterval * 1000 });
    const service = new Service(client, jobs, trans);
    if (registry) {
      void registry
        .load(SETTINGS_PLUGIN_ID)
        .then(settings => {
          const apply = () => service.apply(settings.composite as any);
          settings.changed.connect(apply);
          apply();
        })
        .catch(reason => console.warn('nbjobs: could not load settings', reason));
    }
    return service;
  }
};

class Service implements INbJobs {
  constructor(
    readonly client: NbJobsClient,
    readonly jobs: JobListModel,
    readonly trans: INbJobs['trans']
  ) {
    this.names = new DisplayNames(client);
  }

  readonly names: DisplayNames;
  settings: INbJobsSettings = { ...DEFAULT_SETTINGS };
  readonly settingsChanged: Signal<INbJobs, INbJobsSettings> = new Signal(this);
  readonly jobStarted: Signal<INbJobs, IJob> = new Signal(this);

  started(job: IJob): void {
    this.jobs.upsert(job);
    this.jobStarted.emit(job);
  }

  apply(values: Partial<INbJobsSettings>): void {
    this.settings = { ...DEFAULT_SETTINGS, ...values };
    this.jobs.interval = this.settings.refreshInterval * 1000;
    this.settingsChanged.emit(this.settings);
  }
}
