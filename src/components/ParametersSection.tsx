import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ParamKind } from '../model/params';
import { Errors, Field } from './fields';

/** One parameter row of the form: a typed input, or a list of values in sweep mode. */
export interface IParamRow {
  name: string;
  kind: ParamKind;
  text: string;
  sweepText: string;
  help: string;
  /** Added by the user, not found in the notebook's parameters cell. */
  custom: boolean;
}

const KIND_LABEL: { [k in ParamKind]: string } = {
  int: 'int',
  float: 'float',
  bool: 'bool',
  str: 'str',
  json: 'JSON'
};

export function ParametersSection(props: {
  rows: IParamRow[];
  sweep: boolean;
  errors: Errors;
  hasCell: boolean | null;
  trans: TranslationBundle;
  onChange: (rows: IParamRow[]) => void;
}): JSX.Element {
  const { rows, trans, errors } = props;
  const set = (i: number, patch: Partial<IParamRow>) =>
    props.onChange(rows.map((r, j) => (i === j ? { ...r, ...patch } : r)));

  return (
    <fieldset className="jp-NbJobs-fieldset" aria-label={trans.__('Parameters')}>
      <legend>{trans.__('Parameters')}</legend>
      {props.hasCell === false && (
        <p className="jp-NbJobs-help">
          {trans.__(
            'This notebook has no cell tagged "parameters"; values are injected at the top.'
          )}
        </p>
      )}
      {errors['parameters'] && (
        <div className="jp-NbJobs-fieldError" role="alert">
          {errors['parameters']}
        </div>
      )}
      {rows.map((row, i) => {
        const id = `param-${row.name || i}`;
        const error = errors[`param:${row.name}`] ?? errors[`param#${i}`];
        const label = row.custom ? '' : `${row.name} (${KIND_LABEL[row.kind]})`;
        const input = props.sweep ? (
          <textarea
            id={`nbjobs-${id}`}
            className="jp-mod-styled"
            rows={2}
            aria-invalid={!!error}
            placeholder={trans.__('One value per line; leave empty to keep the value below')}
            value={row.sweepText}
            onChange={e => set(i, { sweepText: e.target.value })}
          />
        ) : row.kind === 'bool' ? (
          <input
            id={`nbjobs-${id}`}
            type="checkbox"
            checked={row.text === 'true'}
            onChange={e => set(i, { text: e.target.checked ? 'true' : 'false' })}
          />
        ) : row.kind === 'json' ? (
          <textarea
            id={`nbjobs-${id}`}
            className="jp-mod-styled jp-NbJobs-code"
            rows={Math.min(6, Math.max(1, row.text.split('\n').length))}
            aria-invalid={!!error}
            value={row.text}
            onChange={e => set(i, { text: e.target.value })}
          />
        ) : (
          <input
            id={`nbjobs-${id}`}
            className="jp-mod-styled"
            type={row.kind === 'str' ? 'text' : 'number'}
            step={row.kind === 'float' ? 'any' : '1'}
            aria-invalid={!!error}
            value={row.text}
            onChange={e => set(i, { text: e.target.value })}
          />
        );
        return (
          <div key={i} className="jp-NbJobs-paramRow">
            {row.custom ? (
              <Field id={id} label={trans.__('Name and value')} error={error}>
                <div className="jp-NbJobs-inline">
                  <input
                    className="jp-mod-styled jp-NbJobs-paramName"
                    aria-label={trans.__('Parameter name')}
                    placeholder={trans.__('name')}
                    value={row.name}
                    onChange={e => set(i, { name: e.target.value })}
                  />
                  {input}
                  <button
                    type="button"
                    className="jp-NbJobs-textButton"
                    onClick={() => props.onChange(rows.filter((_, j) => j !== i))}
                  >
                    {trans.__('Remove')}
                  </button>
                </div>
              </Field>
            ) : (
              <Field id={id} label={label} error={error} help={row.help}>
                {input}
                {props.sweep && (
                  <div className="jp-NbJobs-help">
                    {trans.__('Default: %1', row.text || '""')}
                  </div>
                )}
              </Field>
            )}
          </div>
        );
      })}
      <button
        type="button"
        className="jp-NbJobs-textButton"
        onClick={() =>
          props.onChange([
            ...rows,
            { name: '', kind: 'json', text: '', sweepText: '', help: '', custom: true }
          ])
        }
      >
        {trans.__('Add parameter')}
      </button>
    </fieldset>
  );
}
