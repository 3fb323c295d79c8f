import * as React from 'react';

import { JobActions } from '../actions';
import { JobDetail } from '../components/JobDetail';
import { JobDetailModel } from '../model/jobDetail';
import { INbJobs } from '../tokens';
import { ModelWidget } from './ModelWidget';

/** Main-area content showing one job. */
export class JobDetailWidget extends ModelWidget<JobDetailModel> {
  constructor(
    model: JobDetailModel,
    private actions: JobActions,
    service: INbJobs
  ) {
    super(model, service);
    this.addClass('jp-NbJobs-detailWidget');
  }

  get jobId(): string {
    return this.model.jobId;
  }

  focusLog(): void {
    this._focusLog = true;
    this.update();
  }

  protected onModelChanged(): void {
    const name = this.model.job?.name;
    if (name && name !== this.title.label) {
      this.title.label = name;
      if (this.parent) {
        this.parent.title.label = name;
      }
    }
  }

  protected render(): JSX.Element {
    return (
      <JobDetail
        model={this.model}
        actions={this.actions}
        focusLog={this._focusLog}
        onDeleted={() => (this.parent ?? this).close()}
      />
    );
  }

  private _focusLog = false;
}
