import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IOutputFormatInfo } from '../api/types';
import { IFormValues } from '../model/form';
import { Errors, Field, TextField } from './fields';

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
  /** Why packaging cannot change (a rerun keeps the earlier snapshot), if it cannot. */
  packageFixed?: string;
}): JSX.Element {
  const { values, errors, trans, onChange } = props;
  return (
    <fieldset className="jp-NbJobs-fieldset">
      <legend>{trans.__('Outputs and environment')}</legend>
      <Field id="output_formats" label={trans.__('Output formats')} error={errors['output_formats']}>
        <FormatChoices
          formats={props.formats ?? [{ name: 'ipynb', label: 'Notebook' }]}
          chosen={values.outputFormats}
          trans={trans}
          onChange={outputFormats => onChange({ outputFormats })}
        />
      </Field>
      <Field
        id="package_input_folder"
        label={trans.__('Package input folder')}
        help={props.packageFixed}
      >
        <input
          id="nbjobs-package_input_folder"
          type="checkbox"
          disabled={!!props.packageFixed}
          checked={values.packageInputFolder}
          onChange={e => onChange({ packageInputFolder: e.target.checked })}
        />
      </Field>
      <TextField
        id="env"
        label={trans.__('Environment variables')}
        error={errors['env']}
        rows={2}
        code
        placeholder="NAME=value"
        value={values.env}
        onChange={env => onChange({ env })}
      />
      <TextField
        id="timeout_seconds"
        label={trans.__('Timeout (seconds)')}
        error={errors['timeout_seconds']}
        type="number"
        min={1}
        placeholder={trans.__('none')}
        value={values.timeout}
        onChange={timeout => onChange({ timeout })}
      />
      <TextField
        id="max_retries"
        label={trans.__('Retries')}
        error={errors['max_retries']}
        type="number"
        min={0}
        max={30}
        value={values.retries}
        onChange={retries => onChange({ retries })}
      />
      <TextField
        id="tags"
        label={trans.__('Tags')}
        error={errors['tags']}
        placeholder={trans.__('comma, separated')}
        value={values.tags}
        onChange={tags => onChange({ tags })}
      />
    </fieldset>
  );
}

/** The formats most jobs want, in this order; the others wait behind "More formats". */
export const USEFUL_FORMATS = ['ipynb', 'html', 'webpdf', 'pdf', 'script', 'markdown'];

/** Split the server's formats into the useful few and the rest (python duplicates script). */
export function splitFormats(
  formats: readonly IOutputFormatInfo[]
): { useful: IOutputFormatInfo[]; more: IOutputFormatInfo[] } {
  const useful = USEFUL_FORMATS.map(n => formats.find(f => f.name === n)).filter(
    (f): f is IOutputFormatInfo => !!f
  );
  const more = formats.filter(f => !USEFUL_FORMATS.includes(f.name));
  return { useful, more };
}

function formatLabel(f: IOutputFormatInfo, trans: TranslationBundle): string {
  switch (f.name) {
    case 'ipynb':
      return trans.__('Notebook (always)');
    case 'script':
      return trans.__("Script (the kernel's language)");
    case 'python':
      return trans.__('Python script (.py, even for other kernels)');
    default:
      return f.label;
  }
}

export function FormatChoices(props: {
  formats: readonly IOutputFormatInfo[];
  chosen: readonly string[];
  trans: TranslationBundle;
  onChange: (chosen: string[]) => void;
}): JSX.Element {
  const { trans, chosen } = props;
  const { useful, more } = splitFormats(props.formats);
  const box = (f: IOutputFormatInfo) => (
    <label key={f.name} className="jp-NbJobs-check">
      <input
        type="checkbox"
        value={f.name}
        disabled={f.name === 'ipynb'}
        checked={f.name === 'ipynb' || chosen.includes(f.name)}
        onChange={e =>
          props.onChange(
            e.target.checked ? [...chosen, f.name] : chosen.filter(x => x !== f.name)
          )
        }
      />
      {formatLabel(f, trans)}
    </label>
  );
  const moreChosen = more.filter(f => chosen.includes(f.name)).length;
  return (
    <div className="jp-NbJobs-formats">
      <div className="jp-NbJobs-inline">{useful.map(box)}</div>
      {more.length > 0 && (
        <details className="jp-NbJobs-moreFormats" open={moreChosen > 0}>
          <summary>
            {moreChosen
              ? trans.__('More formats (%1 chosen)', moreChosen)
              : trans.__('More formats')}
          </summary>
          <div className="jp-NbJobs-inline">{more.map(box)}</div>
        </details>
      )}
    </div>
  );
}
