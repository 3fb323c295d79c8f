import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';

import { JobActions } from '../actions';
import { IJob } from '../api/types';
import { JobWatcher } from '../model/watcher';
import { CommandIDs, INbJobs } from '../tokens';

/** A notification when a job started from this browser finishes or fails. */
export const notificationsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbjobs:notifications',
  description: 'Notify when a job you started ends, with an action to open its output.',
  autoStart: true,
  requires: [INbJobs],
  activate: (app: JupyterFrontEnd, service: INbJobs) => {
    const { trans } = service;
    const actions = new JobActions(app, service);
    const watcher = new JobWatcher(
      service.client,
      () => service.settings.refreshInterval * 1000
    );
    const sweeps = new SweepNotices(app, service);
    service.jobStarted.connect((_, job) => {
      if (job.sweep_id && service.settings.notifications) {
        sweeps.started(job);
      }
      watcher.watch(job);
    });
    watcher.finished.connect((_, job: IJob) => {
      if (!service.settings.notifications) {
        return;
      }
      if (job.sweep_id && sweeps.finished(job)) {
        return;
      }
      const details = {
        label: trans.__('Details'),
        callback: () => void app.commands.execute(CommandIDs.openJob, { id: job.id })
      };
      // Read-only first: looking at a result should not start a kernel.
      const openOutput = {
        label: trans.__('View output'),
        callback: () => void actions.viewExecuted(job),
        displayType: 'accent' as const
      };
      if (job.status === 'completed') {
        Notification.success(trans.__('Job "%1" completed.', job.name), {
          autoClose: 10000,
          actions: [openOutput, details]
        });
      } else if (job.status === 'failed') {
        const why = job.error?.ename
          ? `${job.error.ename}: ${job.error.evalue ?? ''}`
          : (job.error?.message ?? '');
        Notification.error(trans.__('Job "%1" failed. %2', job.name, why), {
          autoClose: false,
          actions: [openOutput, details]
        });
      } else {
        Notification.info(trans.__('Job "%1" stopped.', job.name), {
          autoClose: 5000,
          actions: [details]
        });
      }
    });
  }
};

/**
 * One notification per sweep started here, updated as its runs end ("4 of 6 runs done"),
 * instead of one toast per run.
 */
class SweepNotices {
  constructor(
    private app: JupyterFrontEnd,
    private service: INbJobs
  ) {}

  started(job: IJob): void {
    const id = job.sweep_id as string;
    if (this._sweeps.has(id)) {
      return;
    }
    const sweep: ISweepNotice = {
      name: job.name.replace(/\s*\[[^\]]*\]$/, ''),
      total: 0,
      ended: new Map(),
      timer: null
    };
    this._sweeps.set(id, sweep);
    // The sweep knows how many runs it made (its jobs are reported one by one).
    void this.service.client.getSweep(id).then(
      found => {
        sweep.total = found.total;
        this.schedule(id);
      },
      () => this.schedule(id)
    );
  }

  /** Record a run's end; false when the sweep was not started here. */
  finished(job: IJob): boolean {
    const id = job.sweep_id as string;
    const sweep = this._sweeps.get(id);
    if (!sweep) {
      return false;
    }
    sweep.ended.set(job.id, job.status);
    this.schedule(id);
    return true;
  }

  /**
   * Show the news a moment later, coalesced: JupyterLab makes a second toast when a
   * notification is updated before its first toast is on screen.
   */
  private schedule(id: string): void {
    const sweep = this._sweeps.get(id);
    if (sweep && sweep.timer === null) {
      sweep.timer = window.setTimeout(() => {
        sweep.timer = null;
        this.show(id);
      }, UPDATE_DELAY_MS);
    }
  }

  private show(id: string): void {
    const sweep = this._sweeps.get(id);
    if (!sweep) {
      return;
    }
    const { trans } = this.service;
    const ended = Array.from(sweep.ended.values());
    const failed = ended.filter(s => s === 'failed').length;
    const stopped = ended.filter(s => s === 'stopped').length;
    const total = Math.max(sweep.total, ended.length);
    const done = sweep.total > 0 && ended.length >= sweep.total;
    const parts = [trans.__('%1 of %2 runs done', ended.length, total || '?')];
    if (failed) {
      parts.push(trans._n('%1 failed', '%1 failed', failed));
    }
    if (stopped) {
      parts.push(trans._n('%1 stopped', '%1 stopped', stopped));
    }
    const message = trans.__('Sweep "%1": %2.', sweep.name, parts.join(', '));
    const type = !done ? 'in-progress' : failed ? 'error' : stopped ? 'warning' : 'success';
    const options = {
      autoClose: (done && !failed ? 10000 : false) as number | false,
      actions: [this.compare(id, sweep.name)]
    };
    if (sweep.notice === undefined) {
      sweep.notice = Notification.emit(message, type, options);
    } else {
      Notification.update({ id: sweep.notice, message, type, ...options });
    }
    if (done) {
      this._sweeps.delete(id);
    }
  }

  private compare(id: string, name: string) {
    return {
      label: this.service.trans.__('Compare runs'),
      displayType: 'accent' as const,
      callback: () =>
        void this.app.commands.execute(CommandIDs.compareRuns, { sweep_id: id, title: name })
    };
  }

  private _sweeps = new Map<string, ISweepNotice>();
}

/** Updates of a sweep's notification are gathered over this long. */
const UPDATE_DELAY_MS = 800;

interface ISweepNotice {
  name: string;
  total: number;
  ended: Map<string, string>;
  notice?: string;
  timer: number | null;
}
