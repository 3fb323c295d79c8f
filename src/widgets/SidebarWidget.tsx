import { ReactWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { Sidebar } from '../components/Sidebar';
import { nbjobsIcon } from '../icons';
import { ISidebarTab, ISidebarTabs, SIDEBAR_ID } from '../tokens';

/**
 * The left-area panel with the registered tabs. It tells the current tab whether it is
 * shown, so that only that tab's model polls, and only while the panel is visible.
 */
export class SidebarWidget extends ReactWidget {
  constructor(
    private registry: ISidebarTabs,
    private trans: TranslationBundle
  ) {
    super();
    this.id = SIDEBAR_ID;
    this.addClass('jp-NbJobs-panel');
    this.title.icon = nbjobsIcon;
    this.title.caption = trans.__('Notebook Jobs');
    registry.changed.connect(() => this.update(), this);
  }

  /** The current tab's id (the first tab until one is chosen). */
  get tab(): string | null {
    return this._current()?.id ?? null;
  }

  set tab(id: string | null) {
    this._tab = id;
    this.update();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.update();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.update();
  }

  protected render(): JSX.Element {
    return (
      <Sidebar
        title={this.trans.__('Notebook Jobs')}
        tabs={this.registry.tabs}
        current={this._current()}
        shown={this.isVisible}
        onTab={id => (this.tab = id)}
      />
    );
  }

  private _current(): ISidebarTab | null {
    const { tabs } = this.registry;
    return tabs.find(t => t.id === this._tab) ?? tabs[0] ?? null;
  }

  private _tab: string | null = null;
}
