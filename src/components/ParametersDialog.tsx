import { Dialog, ReactWidget, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { NbJobsClient } from '../api/client';
import { Parameters } from '../api/types';
import { parseRows, rowsFromValues } from './paramRows';
import { IParamRow, ParametersSection } from './ParametersSection';

/** The dialog's body: the create form's parameter fields, checked as typed. */
class ParametersBody extends ReactWidget implements Dialog.IBodyWidget<Parameters | null> {
  constructor(
    public rows: IParamRow[],
    private trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-NbJobs-form');
    this.addClass('jp-NbJobs-parametersDialog');
  }

  getValue(): Parameters | null {
    const { values, errors } = parseRows(this.rows);
    this.shownErrors = true;
    this.update();
    return Object.keys(errors).length ? null : values;
  }

  protected render(): JSX.Element {
    const { errors } = parseRows(this.rows);
    return (
      <ParametersSection
        rows={this.rows}
        sweep={false}
        errors={errors}
        hasCell={true}
        trans={this.trans}
        onChange={rows => {
          this.rows = rows;
          this.update();
        }}
      />
    );
  }

  shownErrors = false;
}

/**
 * Ask for parameter values with typed fields (the notebook's parameters, prefilled with
 * `values`): resolves to the values, or null when cancelled. A mistake keeps it open.
 */
export async function askParameters(options: {
  client: NbJobsClient;
  trans: TranslationBundle;
  title: string;
  okLabel: string;
  path: string;
  values: Parameters;
}): Promise<Parameters | null> {
  const { trans } = options;
  const declared = await options.client
    .getParameters(options.path)
    .then(p => p.parameters)
    .catch(() => []);
  let rows = rowsFromValues(options.values, declared);
  for (;;) {
    const body = new ParametersBody(rows, trans);
    const answer = await showDialog({
      title: options.title,
      body,
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: options.okLabel })]
    });
    if (!answer.button.accept) {
      return null;
    }
    if (answer.value) {
      return answer.value;
    }
    rows = body.rows;
  }
}
