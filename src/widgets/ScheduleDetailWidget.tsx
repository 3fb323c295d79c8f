import * as React from 'react';

import { JobActions, ScheduleActions } from '../actions';
import { ScheduleDetail } from '../components/ScheduleDetail';
import { ScheduleDetailModel } from '../model/schedules';
import { INbJobs } from '../tokens';
import { ModelWidget } from './ModelWidget';

/** Main-area content showing one schedule. */
export class ScheduleDetailWidget extends ModelWidget<ScheduleDetailModel> {
  constructor(
    model: ScheduleDetailModel,
    private actions: ScheduleActions,
    private jobActions: JobActions,
    service: INbJobs
  ) {
    super(model, service);
    this.addClass('jp-NbJobs-detailWidget');
    // Pausing, running or editing it here shows at once.
    actions.changed.connect(() => void model.refresh(), this);
  }

  get scheduleId(): string {
    return this.model.scheduleId;
  }

  protected onModelChanged(): void {
    const name = this.model.schedule?.name;
    if (name && this.parent && name !== this.parent.title.label) {
      this.parent.title.label = name;
    }
  }

  protected render(): JSX.Element {
    return (
      <ScheduleDetail
        model={this.model}
        actions={this.actions}
        jobActions={this.jobActions}
        onDeleted={() => this.parent?.close()}
      />
    );
  }
}
