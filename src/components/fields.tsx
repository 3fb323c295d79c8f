import * as React from 'react';

/** A labelled form row with its error (if any) right under the input. */
export function Field(props: {
  id: string;
  label: string;
  error?: string;
  help?: string;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <div className={`jp-NbJobs-field${props.error ? ' jp-mod-error' : ''}`} data-field={props.id}>
      <label htmlFor={`nbjobs-${props.id}`}>{props.label}</label>
      <div className="jp-NbJobs-fieldInput">
        {props.children}
        {props.help && <div className="jp-NbJobs-help">{props.help}</div>}
        {props.error && (
          <div className="jp-NbJobs-fieldError" role="alert" id={`nbjobs-${props.id}-error`}>
            {props.error}
          </div>
        )}
      </div>
    </div>
  );
}

export type Errors = { [field: string]: string };

/** A labelled one-line input (or a textarea of `rows` rows) for a text value. */
export function TextField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  help?: string;
  placeholder?: string;
  /** A textarea of this many rows instead of a one-line input. */
  rows?: number;
  /** Code (cron, JSON, NAME=value lines): shown monospaced. */
  code?: boolean;
  type?: 'text' | 'number';
  min?: number;
  max?: number;
  readOnly?: boolean;
}): JSX.Element {
  const common = {
    id: `nbjobs-${props.id}`,
    className: `jp-mod-styled${props.code ? ' jp-NbJobs-code' : ''}`,
    placeholder: props.placeholder,
    readOnly: props.readOnly,
    value: props.value,
    'aria-invalid': props.error ? true : undefined
  };
  return (
    <Field id={props.id} label={props.label} error={props.error} help={props.help}>
      {props.rows ? (
        <textarea {...common} rows={props.rows} onChange={e => props.onChange(e.target.value)} />
      ) : (
        <input
          {...common}
          type={props.type}
          min={props.min}
          max={props.max}
          onChange={e => props.onChange(e.target.value)}
        />
      )}
    </Field>
  );
}
