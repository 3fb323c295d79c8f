import { ReactWidget } from '@jupyterlab/apputils';
import { listIcon } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { JobActions, ScheduleActions } from '../actions';
import { Sidebar, SidebarTab } from '../components/Sidebar';
import { INbJobs, SIDEBAR_ID } from '../tokens';

/** The left-area panel; it tells the list model to poll only while it is shown. */
export class SidebarWidget extends ReactWidget {
  constructor(
    private service: INbJobs,
    private actions: JobActions,
    private scheduleActions: ScheduleActions
  ) {
    super();
    this.id = SIDEBAR_ID;
    this.addClass('jp-NbJobs-panel');
    this.title.icon = listIcon;
    this.title.caption = service.trans.__('Notebook Jobs');
    service.settingsChanged.connect(() => this.update(), this);
    // A hidden browser tab does not need fresh rows either.
    document.addEventListener('visibilitychange', this._onVisibility);
  }

  dispose(): void {
    document.removeEventListener('visibilitychange', this._onVisibility);
    super.dispose();
  }

  private _onVisibility = (): void => {
    this.update();
  };

  get tab(): SidebarTab {
    return this._tab;
  }

  set tab(tab: SidebarTab) {
    this._tab = tab;
    this.update();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.update();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.service.jobs.setActive(false);
    this.update();
  }

  protected render(): JSX.Element {
    return (
      <Sidebar
        model={this.service.jobs}
        actions={this.actions}
        scheduleActions={this.scheduleActions}
        visible={this.isVisible && !document.hidden}
        interval={this.service.settings.refreshInterval * 1000}
        tab={this._tab}
        onTab={tab => (this.tab = tab)}
      />
    );
  }

  private _tab: SidebarTab = 'jobs';
}
