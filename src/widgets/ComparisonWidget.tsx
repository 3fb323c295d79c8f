import * as React from 'react';

import { JobActions } from '../actions';
import { Comparison } from '../components/Comparison';
import { ComparisonModel } from '../model/comparison';
import { INbJobs } from '../tokens';
import { ModelWidget } from './ModelWidget';

/** Main-area content: a sweep's or a schedule's runs side by side. */
export class ComparisonWidget extends ModelWidget<ComparisonModel> {
  constructor(
    model: ComparisonModel,
    private actions: JobActions,
    service: INbJobs
  ) {
    super(model, service);
    this.addClass('jp-NbJobs-detailWidget');
  }

  protected render(): JSX.Element {
    return <Comparison model={this.model} actions={this.actions} />;
  }
}
