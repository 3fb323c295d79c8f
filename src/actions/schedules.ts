import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { ISignal, Signal } from '@lumino/signaling';

import { IJobRerun, ISchedule } from '../api/types';
import { CommandIDs, INbJobs } from '../tokens';
import { guard } from './notify';

/** Pause, resume, run now and delete for schedules; `changed` fires after each success. */
export class ScheduleActions {
  constructor(
    readonly app: JupyterFrontEnd,
    readonly service: INbJobs
  ) {}

  get trans() {
    return this.service.trans;
  }

  get client() {
    return this.service.client;
  }

  /** Models showing schedules refresh on it. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  openDetail(schedule: ISchedule): void {
    void this.app.commands.execute(CommandIDs.openSchedule, { id: schedule.id });
  }

  async pause(schedule: ISchedule): Promise<void> {
    await this._change(() => this.client.pauseSchedule(schedule.id));
  }

  async resume(schedule: ISchedule): Promise<void> {
    await this._change(() => this.client.resumeSchedule(schedule.id));
  }

  async runNow(schedule: ISchedule, changes?: IJobRerun): Promise<void> {
    const done = await this._change(() => this.client.runSchedule(schedule.id, changes));
    if (done) {
      this.service.started(done.result.job);
      Notification.info(this.trans.__('Started a run of "%1".', schedule.name), {
        autoClose: 3000
      });
    }
  }

  async remove(schedule: ISchedule): Promise<boolean> {
    const answer = await showDialog({
      title: this.trans.__('Delete schedule'),
      body: this.trans.__('Delete the schedule "%1"? Its past runs stay.', schedule.name),
      buttons: [
        Dialog.cancelButton({ label: this.trans.__('Cancel') }),
        Dialog.warnButton({ label: this.trans.__('Delete') })
      ]
    });
    if (!answer.button.accept) {
      return false;
    }
    return !!(await this._change(() => this.client.deleteSchedule(schedule.id)));
  }

  /** Run a request (reporting a failure); on success emit `changed`. */
  private async _change<T>(work: () => Promise<T>): Promise<{ result: T } | undefined> {
    // Wrapped, so that a request answering nothing (204) still counts as done.
    const done = await guard(async () => ({ result: await work() }));
    if (done) {
      this._changed.emit();
    }
    return done;
  }

  private _changed = new Signal<this, void>(this);
}
