import { ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { JobActions } from '../actions';
import { IJob } from '../api/types';
import { JobDetail } from '../components/JobDetail';

/** Main-area content showing one job. */
export class JobDetailWidget extends ReactWidget {
  constructor(
    readonly jobId: string,
    private actions: JobActions,
    private interval: () => number
  ) {
    super();
    this.addClass('jp-NbJobs-detailWidget');
  }

  focusLog(): void {
    this._focusLog = true;
    this.update();
  }

  protected render(): JSX.Element {
    return (
      <JobDetail
        jobId={this.jobId}
        actions={this.actions}
        interval={this.interval()}
        focusLog={this._focusLog}
        onTitle={(job: IJob) => {
          this.parent?.title && (this.parent.title.label = job.name);
          this.title.label = job.name;
        }}
        onDeleted={() => (this.parent ?? this).close()}
      />
    );
  }

  private _focusLog = false;
}
