import { DisposableDelegate, IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { ISidebarTab, ISidebarTabs } from '../tokens';

const DEFAULT_RANK = 500;

/** The registry behind the ISidebarTabs token. */
export class SidebarTabs implements ISidebarTabs {
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get tabs(): readonly ISidebarTab[] {
    return this._tabs;
  }

  has(id: string): boolean {
    return this._tabs.some(t => t.id === id);
  }

  add(tab: ISidebarTab): IDisposable {
    if (this.has(tab.id)) {
      throw new Error(`nbjobs: a sidebar tab "${tab.id}" is already registered`);
    }
    const rank = (t: ISidebarTab) => t.rank ?? DEFAULT_RANK;
    this._tabs = [...this._tabs, tab].sort(
      (a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id)
    );
    this._changed.emit();
    return new DisposableDelegate(() => {
      this._tabs = this._tabs.filter(t => t !== tab);
      this._changed.emit();
    });
  }

  private _tabs: ISidebarTab[] = [];
  private _changed = new Signal<this, void>(this);
}
