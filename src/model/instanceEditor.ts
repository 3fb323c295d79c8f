import { ISignal, Signal } from '@lumino/signaling';

import { InstancesClient } from '../api/instances';
import {
  IInstance,
  IInstanceCreate,
  IInstanceOptions,
  IInstanceUpdate,
  IMe,
  IMyProject
} from '../api/instanceTypes';

/**
 * What the create / edit form reads from the server: the caller's projects (where they may
 * create an instance) and each project's options (instance types, volume limits, lifecycle
 * configs, eligible EMR clusters, stop time), read once per project.
 */
export class InstanceEditorModel {
  constructor(
    readonly client: InstancesClient,
    /** The instance edited; none for the create form. */
    readonly instance: IInstance | null = null
  ) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get me(): IMe | null {
    return this._me;
  }

  /** Projects the caller may create an instance in (a member of a suspended one may not). */
  get projects(): IMyProject[] {
    return (this._me?.projects ?? []).filter(p => !p.suspended || p.role !== 'member');
  }

  /** The options of the project last asked for, once read. */
  get options(): IInstanceOptions | null {
    return this._options;
  }

  get error(): string | null {
    return this._error;
  }

  async loadMe(): Promise<IMe | null> {
    try {
      this._me = await this.client.me();
      this._error = null;
    } catch (error) {
      this._error = (error as Error).message;
    }
    this._changed.emit();
    return this._me;
  }

  /** The options of `project` (cached); the newest call wins when several overlap. */
  async loadOptions(project: string): Promise<IInstanceOptions | null> {
    const call = ++this._call;
    try {
      let options = this._cache.get(project);
      if (!options) {
        options = await this.client.instanceOptions(project);
        this._cache.set(project, options);
      }
      if (call === this._call) {
        this._options = options;
        this._error = null;
      }
    } catch (error) {
      if (call === this._call) {
        this._options = null;
        this._error = (error as Error).message;
      }
    }
    this._changed.emit();
    return call === this._call ? this._options : null;
  }

  create(body: IInstanceCreate): Promise<IInstance> {
    return this.client.createInstance(body);
  }

  update(patch: IInstanceUpdate): Promise<IInstance> {
    if (!this.instance) {
      throw new Error('nbjobs: no instance to update');
    }
    return this.client.updateInstance(this.instance.name, patch);
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private _me: IMe | null = null;
  private _options: IInstanceOptions | null = null;
  private _cache = new Map<string, IInstanceOptions>();
  private _error: string | null = null;
  private _call = 0;
  private _changed = new Signal<this, void>(this);
}
