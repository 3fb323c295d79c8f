import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';

import { InstancesClient } from '../api/instances';
import { IInstance } from '../api/instanceTypes';
import { InstanceCommandIDs } from '../instanceTokens';
import { InstanceWatcher } from '../model/instanceWatcher';
import { guard } from './notify';

/**
 * Start, stop, open, edit, delete and logs for notebook instances. Each request's failure is
 * shown as a notification; `changed` fires with the server's answer after each success, so
 * every view shows it at once.
 */
export class InstanceActions {
  constructor(
    readonly app: JupyterFrontEnd,
    readonly client: InstancesClient,
    readonly watcher: InstanceWatcher,
    readonly trans: TranslationBundle
  ) {}

  get changed(): ISignal<this, IInstance> {
    return this._changed;
  }

  /** An instance created here: shown everywhere and followed for notifications. */
  created(instance: IInstance): void {
    this.watcher.watch(instance);
    this._changed.emit(instance);
  }

  /** An instance edited here. */
  updated(instance: IInstance): void {
    this._changed.emit(instance);
  }

  async start(instance: IInstance): Promise<IInstance | undefined> {
    const done = await guard(() => this.client.startInstance(instance.name));
    if (done) {
      this.watcher.watch(done);
      this._changed.emit(done);
    }
    return done;
  }

  async stop(instance: IInstance): Promise<IInstance | undefined> {
    this.watcher.stopAsked(instance.name);
    const done = await guard(() => this.client.stopInstance(instance.name));
    if (done) {
      this._changed.emit(done);
    }
    return done;
  }

  /**
   * Open the instance's JupyterLab in a new browser tab. The tab is opened at the click
   * (a popup blocker allows that) and sent to the presigned URL once the server gave it.
   */
  async open(instance: IInstance): Promise<boolean> {
    const tab = window.open('', '_blank');
    const answer = await guard(() => this.client.instanceLabUrl(instance.name));
    if (!answer) {
      tab?.close();
      return false;
    }
    if (tab) {
      // The instance's page must not reach back into this one.
      tab.opener = null;
      tab.location.href = answer.url;
    } else {
      Notification.warning(
        this.trans.__('The browser blocked the new tab. Allow pop-ups for this site.'),
        { autoClose: 6000 }
      );
    }
    return true;
  }

  edit(instance: IInstance): void {
    void this.app.commands.execute(InstanceCommandIDs.editInstance, { name: instance.name });
  }

  details(instance: IInstance, tab: 'details' | 'logs' = 'details'): void {
    void this.app.commands.execute(InstanceCommandIDs.openInstance, {
      name: instance.name,
      tab
    });
  }

  logs(instance: IInstance): void {
    this.details(instance, 'logs');
  }

  async remove(instance: IInstance): Promise<boolean> {
    const answer = await showDialog({
      title: this.trans.__('Delete notebook instance'),
      body: this.trans.__(
        'Delete the notebook instance "%1" of project "%2"? Its storage volume and everything on it are deleted too.',
        instance.name,
        instance.project
      ),
      buttons: [
        Dialog.cancelButton({ label: this.trans.__('Cancel') }),
        Dialog.warnButton({ label: this.trans.__('Delete') })
      ]
    });
    if (!answer.button.accept) {
      return false;
    }
    const done = await guard(() => this.client.deleteInstance(instance.name));
    if (!done) {
      return false;
    }
    this.watcher.forget(instance.name);
    this._changed.emit(done);
    return true;
  }

  private _changed = new Signal<this, IInstance>(this);
}
