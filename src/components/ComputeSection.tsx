import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IBackendInfo, JSONValue } from '../api/types';
import { parseEnv } from '../model/params';
import { Errors, Field } from './fields';

/** A field a backend asks for (environments endpoint, backends[].options.fields). */
export interface IBackendField {
  name: string;
  label: string;
  type: 'string' | 'text' | 'choice' | 'list' | 'boolean' | 'integer' | 'mapping' | string;
  default?: JSONValue;
  help?: string;
  required?: boolean;
  choices?: string[];
  min?: number;
  max?: number;
}

export type ComputeTexts = { [name: string]: string };

export function backendFields(backend: IBackendInfo | undefined): IBackendField[] {
  const fields = (backend?.options as any)?.fields;
  return Array.isArray(fields) ? (fields as IBackendField[]) : [];
}

/** Form text per field -> backend_options (only fields the user filled in). */
export function computeOptions(
  fields: IBackendField[],
  texts: ComputeTexts
): { options: { [k: string]: JSONValue }; errors: Errors } {
  const options: { [k: string]: JSONValue } = {};
  const errors: Errors = {};
  for (const f of fields) {
    const text = (texts[f.name] ?? '').trim();
    const key = `backend_options.${f.name}`;
    if (!text) {
      continue;
    }
    switch (f.type) {
      case 'boolean':
        options[f.name] = text === 'true';
        break;
      case 'integer': {
        const n = Number(text);
        if (!Number.isInteger(n) || (f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)) {
          errors[key] = `must be a whole number${f.min !== undefined ? ` from ${f.min}` : ''}${f.max !== undefined ? ` to ${f.max}` : ''}`;
        } else {
          options[f.name] = n;
        }
        break;
      }
      case 'list':
        options[f.name] = text.split(',').map(x => x.trim()).filter(Boolean);
        break;
      case 'mapping': {
        const env = parseEnv(texts[f.name]);
        if ('error' in env) {
          errors[key] = env.error;
        } else {
          options[f.name] = env.env;
        }
        break;
      }
      default:
        options[f.name] = texts[f.name];
    }
  }
  return { options, errors };
}

/** backend_options -> the form text per field (computeOptions read back), to run again. */
export function computeTexts(
  fields: IBackendField[],
  options: { [k: string]: JSONValue }
): ComputeTexts {
  const texts: ComputeTexts = {};
  for (const f of fields) {
    const value = options[f.name];
    if (value === undefined || value === null) {
      continue;
    }
    if (f.type === 'list' && Array.isArray(value)) {
      texts[f.name] = value.join(', ');
    } else if (f.type === 'mapping' && typeof value === 'object' && !Array.isArray(value)) {
      texts[f.name] = Object.entries(value)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n');
    } else {
      texts[f.name] = typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
  }
  return texts;
}

/** Typed inputs for a backend's compute options, defaults shown as placeholders. */
export function ComputeSection(props: {
  fields: IBackendField[];
  texts: ComputeTexts;
  errors: Errors;
  trans: TranslationBundle;
  onChange: (texts: ComputeTexts) => void;
  /** Before each input's id, so that two forms open at once keep their ids apart. */
  idPrefix?: string;
}): JSX.Element {
  const { fields, texts, errors, trans } = props;
  const set = (name: string, value: string) => props.onChange({ ...texts, [name]: value });
  const placeholder = (f: IBackendField) =>
    f.default === null || f.default === undefined
      ? ''
      : Array.isArray(f.default)
        ? f.default.join(', ')
        : typeof f.default === 'object'
          ? ''
          : String(f.default);
  return (
    <fieldset className="jp-NbJobs-fieldset" aria-label={trans.__('Compute')}>
      <legend>{trans.__('Compute')}</legend>
      {fields.map(f => {
        const id = `${props.idPrefix ?? ''}compute-${f.name}`;
        const value = texts[f.name] ?? '';
        let input: JSX.Element;
        if (f.type === 'boolean') {
          input = (
            <input
              id={`nbjobs-${id}`}
              type="checkbox"
              checked={value ? value === 'true' : f.default === true}
              onChange={e => set(f.name, e.target.checked ? 'true' : 'false')}
            />
          );
        } else if (f.type === 'text' || f.type === 'mapping') {
          input = (
            <textarea
              id={`nbjobs-${id}`}
              className="jp-mod-styled jp-NbJobs-code"
              rows={2}
              placeholder={f.type === 'mapping' ? 'NAME=value' : placeholder(f)}
              value={value}
              onChange={e => set(f.name, e.target.value)}
            />
          );
        } else {
          input = (
            <>
              <input
                id={`nbjobs-${id}`}
                className="jp-mod-styled"
                type={f.type === 'integer' ? 'number' : 'text'}
                min={f.min}
                max={f.max}
                list={f.choices ? `nbjobs-${id}-choices` : undefined}
                placeholder={placeholder(f)}
                value={value}
                onChange={e => set(f.name, e.target.value)}
              />
              {f.choices && (
                <datalist id={`nbjobs-${id}-choices`}>
                  {f.choices.map(c => (
                    <option key={c} value={c} />
                  ))}
                </datalist>
              )}
            </>
          );
        }
        return (
          <Field
            key={f.name}
            id={id}
            label={f.required ? `${f.label} *` : f.label}
            help={f.help}
            error={errors[`backend_options.${f.name}`] ?? undefined}
          >
            {input}
          </Field>
        );
      })}
    </fieldset>
  );
}
