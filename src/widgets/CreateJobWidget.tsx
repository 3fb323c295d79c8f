import { ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { CreateJobForm } from '../components/CreateJobForm';
import { Created, CreateJobModel, IRunAgain } from '../model/createJob';
import { INbJobs } from '../tokens';

/**
 * Main-area panel holding the create-job form for one notebook, or (with `again`) the same
 * form prefilled to run a job or a schedule again.
 */
export class CreateJobWidget extends ReactWidget {
  constructor(
    private service: INbJobs,
    readonly path: string,
    private onCreated: (created: Created) => void,
    readonly again?: IRunAgain
  ) {
    super();
    this.addClass('jp-NbJobs-formWidget');
    this._model = new CreateJobModel(service.client);
  }

  dispose(): void {
    this._model.dispose();
    super.dispose();
  }

  protected render(): JSX.Element {
    return (
      <CreateJobForm
        service={this.service}
        model={this._model}
        path={this.path}
        onCreated={this.onCreated}
        onCancel={() => this.parent?.close()}
        again={this.again}
      />
    );
  }

  private _model: CreateJobModel;
}
