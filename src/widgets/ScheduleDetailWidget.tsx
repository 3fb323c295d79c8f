import { ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { JobActions, ScheduleActions } from '../actions';
import { ISchedule } from '../api/types';
import { ScheduleDetail } from '../components/ScheduleDetail';

/** Main-area content showing one schedule. */
export class ScheduleDetailWidget extends ReactWidget {
  constructor(
    readonly scheduleId: string,
    private actions: ScheduleActions,
    private jobActions: JobActions,
    private interval: () => number
  ) {
    super();
    this.addClass('jp-NbJobs-detailWidget');
  }

  protected render(): JSX.Element {
    return (
      <ScheduleDetail
        scheduleId={this.scheduleId}
        actions={this.actions}
        jobActions={this.jobActions}
        interval={this.interval()}
        onTitle={(s: ISchedule) => {
          if (this.parent) {
            this.parent.title.label = s.name;
          }
        }}
        onDeleted={() => this.parent?.close()}
      />
    );
  }
}
