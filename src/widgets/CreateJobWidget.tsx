import { ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { Created, CreateJobForm } from '../components/CreateJobForm';
import { INbJobs } from '../tokens';

/** Main-area panel holding the create-job form for one notebook. */
export class CreateJobWidget extends ReactWidget {
  constructor(
    private service: INbJobs,
    readonly path: string,
    private onCreated: (created: Created) => void
  ) {
    super();
    this.addClass('jp-NbJobs-formWidget');
  }

  protected render(): JSX.Element {
    return (
      <CreateJobForm
        service={this.service}
        path={this.path}
        onCreated={this.onCreated}
        onCancel={() => this.parent?.close()}
      />
    );
  }
}
