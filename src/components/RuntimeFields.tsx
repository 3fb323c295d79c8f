import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IEnvironments } from '../api/types';
import { backendFields, ComputeSection, ComputeTexts, IBackendField } from './ComputeSection';
import { Errors, Field, TextField } from './fields';

/** Where a job runs, as the forms hold it. */
export interface IRuntimeValues {
  kernel: string;
  backend: string;
  /** backend_options as JSON, for a backend that describes no fields. */
  backendOptions: string;
}

/** The compute fields the chosen backend asks for (none until the environments answered). */
export function runtimeFields(
  environments: IEnvironments | null,
  backend: string
): IBackendField[] {
  return backendFields(environments?.backends.find(b => b.name === backend));
}

/**
 * The kernel and backend selects and the chosen backend's compute options (its fields, or
 * JSON for a backend that describes none): shared by the create form and the schedule editor.
 */
export function RuntimeFields(props: {
  values: IRuntimeValues;
  compute: ComputeTexts;
  environments: IEnvironments | null;
  errors: Errors;
  trans: TranslationBundle;
  onChange: (patch: Partial<IRuntimeValues>) => void;
  onComputeChange: (texts: ComputeTexts) => void;
  /** The label of a kernel choice that leaves it to the notebook (the value ''), if offered. */
  notebookKernel?: string;
  /** Before each input's id, so that two forms open at once keep their ids apart. */
  idPrefix?: string;
}): JSX.Element {
  const { values, environments: envs, errors, trans, onChange } = props;
  const prefix = props.idPrefix ?? '';
  const kernels = envs?.kernels ?? [];
  const known = kernels.some(k => k.name === values.kernel);
  const fields = runtimeFields(envs, values.backend);
  const backends = envs?.backends ?? [
    {
      name: values.backend || 'local',
      label: !values.backend || values.backend === 'local' ? 'Local' : values.backend
    }
  ];
  return (
    <>
      <Field id={`${prefix}kernel_name`} label={trans.__('Kernel')} error={errors['kernel_name']}>
        <select
          id={`nbjobs-${prefix}kernel_name`}
          className="jp-mod-styled"
          value={values.kernel}
          onChange={e => onChange({ kernel: e.target.value })}
        >
          {props.notebookKernel !== undefined && <option value="">{props.notebookKernel}</option>}
          {!known && (values.kernel || props.notebookKernel === undefined) && (
            <option value={values.kernel}>{values.kernel || trans.__('(notebook default)')}</option>
          )}
          {kernels.map(k => (
            <option key={k.name} value={k.name}>
              {k.display_name}
            </option>
          ))}
        </select>
      </Field>
      <Field id={`${prefix}backend`} label={trans.__('Backend')} error={errors['backend']}>
        <select
          id={`nbjobs-${prefix}backend`}
          className="jp-mod-styled"
          value={values.backend}
          onChange={e => onChange({ backend: e.target.value })}
        >
          {backends.map(b => (
            <option key={b.name} value={b.name}>
              {b.label}
            </option>
          ))}
        </select>
      </Field>
      {fields.length > 0 && (
        <ComputeSection
          fields={fields}
          texts={props.compute}
          errors={errors}
          trans={trans}
          onChange={props.onComputeChange}
          idPrefix={prefix}
        />
      )}
      {values.backend !== 'local' && !fields.length && (
        <TextField
          id={`${prefix}backend_options`}
          label={trans.__('Compute options (JSON)')}
          error={errors['backend_options']}
          help={JSON.stringify(envs?.backends.find(b => b.name === values.backend)?.options ?? {})}
          rows={3}
          code
          value={values.backendOptions}
          onChange={backendOptions => onChange({ backendOptions })}
        />
      )}
    </>
  );
}
