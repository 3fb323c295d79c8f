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
