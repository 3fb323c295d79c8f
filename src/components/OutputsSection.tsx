import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IOutputFormatInfo } from '../api/types';
import { IFormValues } from '../model/form';
import { Errors, Field } from './fields';

type Values = Pick<
  IFormValues,
  'outputFormats' | 'packageInputFolder' | 'env' | 'timeout' | 'retries' | 'tags'
>;

/** The create form's output formats, input packaging, environment, timeout, retries, tags. */
export function OutputsSection(props: {
  values: Values;
  /** The formats the server can make (the notebook only, until it answered). */
  formats: readonly IOutputFormatInfo[] | undefined;
  errors: Errors;
  trans: TranslationBundle;
  onChange: (patch: Partial<Values>) => void;
}): JSX.Element {
  const { values, errors, trans, onChange } = props;
  return (
    <fieldset className="jp-NbJobs-fieldset">
      <legend>{trans.__('Outputs and environment')}</legend>
      <Field id="output_formats" label={trans.__('Output formats')} error={errors['output_formats']}>
        <div className="jp-NbJobs-inline">
          {(props.formats ?? [{ name: 'ipynb', label: 'Notebook' }]).map(f => (
            <label key={f.name} className="jp-NbJobs-check">
              <input
                type="checkbox"
                value={f.name}
                disabled={f.name === 'ipynb'}
                checked={f.name === 'ipynb' || values.outputFormats.includes(f.name)}
                onChange={e =>
                  onChange({
                    outputFormats: e.target.checked
                      ? [...values.outputFormats, f.name]
                      : values.outputFormats.filter(x => x !== f.name)
                  })
                }
              />
              {f.label}
            </label>
          ))}
        </div>
      </Field>
      <Field id="package_input_folder" label={trans.__('Package input folder')}>
        <input
          id="nbjobs-package_input_folder"
          type="checkbox"
          checked={values.packageInputFolder}
          onChange={e => onChange({ packageInputFolder: e.target.checked })}
        />
      </Field>
      <Field id="env" label={trans.__('Environment variables')} error={errors['env']}>
        <textarea
          id="nbjobs-env"
          className="jp-mod-styled jp-NbJobs-code"
          rows={2}
          placeholder="NAME=value"
          value={values.env}
          onChange={e => onChange({ env: e.target.value })}
        />
      </Field>
      <Field id="timeout_seconds" label={trans.__('Timeout (seconds)')} error={errors['timeout_seconds']}>
        <input
          id="nbjobs-timeout_seconds"
          className="jp-mod-styled"
          type="number"
          min={1}
          placeholder={trans.__('none')}
          value={values.timeout}
          onChange={e => onChange({ timeout: e.target.value })}
        />
      </Field>
      <Field id="max_retries" label={trans.__('Retries')} error={errors['max_retries']}>
        <input
          id="nbjobs-max_retries"
          className="jp-mod-styled"
          type="number"
          min={0}
          max={30}
          value={values.retries}
          onChange={e => onChange({ retries: e.target.value })}
        />
      </Field>
      <Field id="tags" label={trans.__('Tags')} error={errors['tags']}>
        <input
          id="nbjobs-tags"
          className="jp-mod-styled"
          placeholder={trans.__('comma, separated')}
          value={values.tags}
          onChange={e => onChange({ tags: e.target.value })}
        />
      </Field>
    </fieldset>
  );
}
