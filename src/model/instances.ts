import { InstancesClient } from '../api/instances';
import { IInstance, IMe, IMyProject, isTransitional } from '../api/instanceTypes';
import { PollingModel } from './polling';

/** The two views of the Instances tab. */
export type InstanceView = 'mine' | 'project';

/**
 * The Instances tab's list: the caller (GET me) and either their own instances or one
 * project's. It polls only while an instance shown is in a transitional state (Pending,
 * Stopping, Updating, Deleting) and the tab is shown; showing the tab again reads it once.
 */
export class InstanceListModel extends PollingModel {
  constructor(options: InstanceListModel.IOptions) {
    super({ interval: options.interval, name: 'nbjobs:instances' });
    this._client = options.client;
  }

  /** Who the caller is and their projects, once the first read answered. */
  get me(): IMe | null {
    return this._me;
  }

  get view(): InstanceView {
    return this._view;
  }

  /** The project shown by the "Project instances" view. */
  get project(): string | null {
    return this._project;
  }

  /** The caller's role in the project shown, and whether it is suspended. */
  get projectInfo(): IMyProject | null {
    return this._me?.projects.find(p => p.name === this._project) ?? null;
  }

  /** The instances of the current view, once read. */
  get instances(): readonly IInstance[] | null {
    return this._instances;
  }

  /** Whether some instance shown is changing by itself (what makes the list poll). */
  get transitional(): boolean {
    return (this._instances ?? []).some(i => isTransitional(i.status));
  }

  setView(view: InstanceView): void {
    if (view !== this._view) {
      this._view = view;
      this._instances = null;
      void this.refresh();
    }
  }

  setProject(project: string): void {
    if (project !== this._project) {
      this._project = project;
      if (this._view === 'project') {
        this._instances = null;
        void this.refresh();
      } else {
        this.emitChanged();
      }
    }
  }

  /** Show an instance as an action answered it (the next read follows it if it changes). */
  upsert(instance: IInstance): void {
    const list = this._instances;
    if (list && this._belongs(instance)) {
      const at = list.findIndex(i => i.name === instance.name);
      this._instances =
        at < 0 ? [...list, instance].sort(byName) : list.map((i, n) => (n === at ? instance : i));
      this.emitChanged();
    }
    if (isTransitional(instance.status)) {
      void this.refresh();
    }
  }

  remove(name: string): void {
    if (this._instances?.some(i => i.name === name)) {
      this._instances = this._instances.filter(i => i.name !== name);
      this.emitChanged();
    }
  }

  /** Becoming shown reads the list again, even when nothing was left to follow. */
  setActive(active: boolean): void {
    const wasFinished = this.finished;
    super.setActive(active);
    if (active && wasFinished && !this.isDisposed) {
      void this.refresh();
    }
  }

  protected async load(stale: () => boolean): Promise<void> {
    const me = await this._client.me();
    if (stale()) {
      return;
    }
    this._me = me;
    if (!this._project || !me.projects.some(p => p.name === this._project)) {
      this._project = me.projects[0]?.name ?? null;
    }
    await this._loadList(stale);
  }

  protected async tick(stale: () => boolean): Promise<void> {
    await this._loadList(stale);
  }

  private async _loadList(stale: () => boolean): Promise<void> {
    let instances: IInstance[];
    if (this._view === 'mine') {
      instances = await this._client.listInstances({ mine: true });
    } else if (this._project) {
      instances = await this._client.listInstances({ project: this._project });
    } else {
      instances = [];
    }
    if (stale()) {
      return;
    }
    this._instances = [...instances].sort(byName);
    if (!this.transitional) {
      this.finish();
    }
  }

  private _belongs(instance: IInstance): boolean {
    if (this._view === 'mine') {
      return instance.owner === this._me?.username;
    }
    return instance.project === this._project;
  }

  private _client: InstancesClient;
  private _me: IMe | null = null;
  private _view: InstanceView = 'mine';
  private _project: string | null = null;
  private _instances: IInstance[] | null = null;
}

export namespace InstanceListModel {
  export interface IOptions {
    client: InstancesClient;
    /** Milliseconds between reads while an instance is transitional. */
    interval: number;
  }
}

function byName(a: IInstance, b: IInstance): number {
  return a.name.localeCompare(b.name);
}
