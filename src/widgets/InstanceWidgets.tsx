import { ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { IInstance } from '../api/instanceTypes';
import { InstanceDetail } from '../components/InstanceDetail';
import { InstanceForm } from '../components/InstanceForm';
import { ProjectsView } from '../components/ProjectsView';
import { INbInstances } from '../instanceTokens';
import { InstanceDetailModel } from '../model/instanceDetail';
import { InstanceEditorModel } from '../model/instanceEditor';
import { ProjectListModel } from '../model/projects';
import { ModelWidget } from './ModelWidget';

/** Main-area content showing one notebook instance and its log. */
export class InstanceDetailWidget extends ModelWidget<InstanceDetailModel> {
  constructor(
    model: InstanceDetailModel,
    private service: INbInstances
  ) {
    super(model, service);
    this.addClass('jp-NbJobs-detailWidget');
    // An action from anywhere (the sidebar, a notification) shows here at once.
    service.actions.changed.connect((_, instance) => {
      if (instance.name === model.name) {
        model.set(instance);
      }
    }, this);
  }

  get instanceName(): string {
    return this.model.name;
  }

  focusLog(): void {
    this._focusLog = true;
    this.update();
  }

  protected render(): JSX.Element {
    return (
      <InstanceDetail
        model={this.model}
        actions={this.service.actions}
        focusLog={this._focusLog}
      />
    );
  }

  private _focusLog = false;
}

/** Main-area content holding the create or edit form of a notebook instance. */
export class InstanceFormWidget extends ReactWidget {
  constructor(
    private service: INbInstances,
    private model: InstanceEditorModel,
    private project: string | null,
    private onDone: (instance: IInstance) => void
  ) {
    super();
    this.addClass('jp-NbJobs-formWidget');
  }

  get instanceName(): string | null {
    return this.model.instance?.name ?? null;
  }

  dispose(): void {
    this.model.dispose();
    super.dispose();
  }

  protected render(): JSX.Element {
    return (
      <InstanceForm
        service={this.service}
        model={this.model}
        project={this.project}
        onDone={this.onDone}
        onCancel={() => (this.parent ?? this).close()}
      />
    );
  }
}

/** Main-area content managing projects. */
export class ProjectsWidget extends ModelWidget<ProjectListModel> {
  constructor(
    model: ProjectListModel,
    private service: INbInstances
  ) {
    super(model, service);
    this.addClass('jp-NbJobs-detailWidget');
  }

  protected render(): JSX.Element {
    return <ProjectsView model={this.model} trans={this.service.trans} />;
  }
}
