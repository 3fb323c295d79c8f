import { INotebookParameter, JSONValue, Parameters } from '../api/types';
import { initialText, kindOf, ParamKind, parseValue } from '../model/params';
import { Errors } from './fields';
import { IParamRow } from './ParametersSection';

/** What a typed input shows for a value already chosen (a schedule's, a job's). */
export function valueText(kind: ParamKind, value: JSONValue): string {
  if (kind === 'str' && typeof value === 'string') {
    return value;
  }
  if (kind === 'bool' && typeof value === 'boolean') {
    return value ? 'true' : 'false';
  }
  return JSON.stringify(value);
}

function kindOfValue(value: JSONValue): ParamKind {
  if (typeof value === 'boolean') {
    return 'bool';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? 'int' : 'float';
  }
  return typeof value === 'string' ? 'str' : 'json';
}

/**
 * The form's parameter rows for values chosen before: the notebook's parameters (typed as
 * its cell has them) with those values, then the values the notebook does not declare.
 */
export function rowsFromValues(
  values: Parameters,
  declared: readonly INotebookParameter[]
): IParamRow[] {
  const rows: IParamRow[] = declared.map(param => {
    const kind = kindOf(param.inferred_type);
    return {
      name: param.name,
      kind,
      text: param.name in values ? valueText(kind, values[param.name]) : initialText(param),
      sweepText: '',
      help: param.help,
      custom: false
    };
  });
  for (const [name, value] of Object.entries(values)) {
    if (!declared.some(p => p.name === name)) {
      const kind = kindOfValue(value);
      rows.push({ name, kind, text: valueText(kind, value), sweepText: '', help: '', custom: true });
    }
  }
  return rows;
}

/** Every row parsed: the values, or every mistake at once (keyed as the form keys them). */
export function parseRows(rows: readonly IParamRow[]): { values: Parameters; errors: Errors } {
  const values: Parameters = {};
  const errors: Errors = {};
  rows.forEach((row, i) => {
    const key = row.name ? `param:${row.name}` : `param#${i}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(row.name)) {
      errors[key] = 'the name must be a Python identifier';
      return;
    }
    if (row.name in values) {
      errors[key] = 'this name is used twice';
      return;
    }
    const parsed = parseValue(row.kind, row.text);
    if ('error' in parsed) {
      errors[key] = parsed.error;
    } else {
      values[row.name] = parsed.value;
    }
  });
  return { values, errors };
}
