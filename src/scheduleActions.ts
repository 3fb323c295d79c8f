import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { ISignal, Signal } from '@lumino/signaling';

import { ApiError } from './api/client';
import { ISchedule } from './api/types';
import { CommandIDs, INbJobs } from './tokens';

/** Pause, resume, run now and delete for schedules; `changed` fires after each. */
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

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  openDetail(schedule: ISchedule): void {
    void this.app.commands.execute(CommandIDs.openSchedule, { id: schedule.id });
  }

  async pause(schedule: ISchedule): Promise<void> {
    await this.guard(() => this.client.pauseSchedule(schedule.id));
  }

  async resume(schedule: ISchedule): Promise<void> {
    await this.guard(() => this.client.resumeSchedule(schedule.id));
  }

  async runNow(schedule: ISchedule, parameters?: ISchedule['parameters']): Promise<void> {
    const result = await this.guard(() => this.client.runSchedule(schedule.id, parameters));
    if (result) {
      this.service.started(result.job);
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
    return (await this.guard(() => this.client.deleteSchedule(schedule.id))) !== undefined;
  }

  async guard<T>(work: () => Promise<T>): Promise<T | undefined | void> {
    try {
      const result = await work();
      this._changed.emit();
      return result === undefined ? (null as any) : result;
    } catch (error) {
      const message = error instanceof ApiError ? error.message : String(error);
      Notification.error(message, { autoClose: 6000 });
      return undefined;
    }
  }

  private _changed = new Signal<this, void>(this);
}
