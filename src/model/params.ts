/**
 * Typed parameter values for the create-job form: from papermill's inspection (a type
 * name and the default as Python source) to form text, and from form text to JSON.
 */
import { INotebookParameter, JSONValue } from '../api/types';

export type ParamKind = 'int' | 'float' | 'bool' | 'str' | 'json';

/** The input a parameter gets, from papermill's inferred type name. */
export function kindOf(inferred: string | null | undefined): ParamKind {
  switch ((inferred ?? '').toLowerCase()) {
    case 'int':
      return 'int';
    case 'float':
      return 'float';
    case 'bool':
      return 'bool';
    case 'str':
      return 'str';
    default:
      return 'json';
  }
}

/** Python literal source -> a JSON value, for the literals a parameters cell holds. */
export function pythonLiteralToJSON(source: string | null | undefined): JSONValue | undefined {
  if (source === null || source === undefined) {
    return undefined;
  }
  const text = source.trim();
  if (!text) {
    return undefined;
  }
  const quoted = /^(?:[rRuUbB]{0,2})('''|"""|'|")([\s\S]*)\1$/.exec(text);
  if (quoted) {
    return quoted[2].replace(/\\(['"\\])/g, '$1').replace(/\\n/g, '\n');
  }
  // Swap Python spellings for JSON ones outside strings, then let JSON.parse decide.
  let json = '';
  let inString: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') {
        json += c + (text[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === inString) {
        inString = null;
        json += '"';
        continue;
      }
      json += c === '"' ? '\\"' : c;
      continue;
    }
    if (c === "'" || c === '"') {
      inString = c;
      json += '"';
      continue;
    }
    const rest = text.slice(i);
    const word = /^(True|False|None)\b/.exec(rest);
    if (word && !/[A-Za-z0-9_]/.test(text[i - 1] ?? '')) {
      json += word[1] === 'True' ? 'true' : word[1] === 'False' ? 'false' : 'null';
      i += word[1].length - 1;
      continue;
    }
    json += c === '(' ? '[' : c === ')' ? ']' : c;
  }
  json = json.replace(/,\s*([\]}])/g, '$1');
  try {
    return JSON.parse(json) as JSONValue;
  } catch {
    return undefined;
  }
}

/** The text a form input starts with for a parameter. */
export function initialText(param: INotebookParameter): string {
  const value = pythonLiteralToJSON(param.default);
  const kind = kindOf(param.inferred_type);
  if (value === undefined) {
    return kind === 'json' || kind === 'str' ? (param.default ?? '') : '';
  }
  if (kind === 'str' && typeof value === 'string') {
    return value;
  }
  if (kind === 'bool') {
    return value ? 'true' : 'false';
  }
  return JSON.stringify(value);
}

/** Form text -> the typed value, or an error message. */
export function parseValue(
  kind: ParamKind,
  text: string
): { value: JSONValue } | { error: string } {
  const t = text.trim();
  switch (kind) {
    case 'str':
      return { value: text };
    case 'bool':
      if (t === 'true' || t === 'false') {
        return { value: t === 'true' };
      }
      return { error: 'must be true or false' };
    case 'int':
      if (/^[-+]?\d+$/.test(t)) {
        return { value: parseInt(t, 10) };
      }
      return { error: 'must be a whole number' };
    case 'float': {
      const n = Number(t);
      if (t !== '' && Number.isFinite(n)) {
        return { value: n };
      }
      return { error: 'must be a number' };
    }
    default:
      try {
        return { value: JSON.parse(t) as JSONValue };
      } catch {
        return { error: 'must be JSON (e.g. [1, 2] or {"a": 1} or "text")' };
      }
  }
}

/** Sweep values: one per line (or comma-separated for numbers), each parsed as `kind`. */
export function parseSweepValues(
  kind: ParamKind,
  text: string
): { values: JSONValue[] } | { error: string } {
  const parts =
    kind === 'int' || kind === 'float' || kind === 'bool'
      ? text.split(/[\n,]/)
      : text.split('\n');
  const values: JSONValue[] = [];
  for (const part of parts) {
    if (!part.trim()) {
      continue;
    }
    const parsed = parseValue(kind, kind === 'str' ? part.trim() : part);
    if ('error' in parsed) {
      return { error: `"${part.trim()}" ${parsed.error}` };
    }
    values.push(parsed.value);
  }
  return { values };
}

/** How many runs a grid makes: the product of the value counts. */
export function sweepSize(grid: { [name: string]: JSONValue[] }): number {
  const counts = Object.values(grid).map(v => v.length);
  return counts.length ? counts.reduce((a, b) => a * b, 1) : 0;
}

/** KEY=VALUE lines -> an object, or an error naming the bad line. */
export function parseEnv(text: string): { env: { [k: string]: string } } | { error: string } {
  const env: { [k: string]: string } = {};
  for (const line of text.split('\n')) {
    if (!line.trim()) {
      continue;
    }
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq).trim() : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      return { error: `"${line.trim()}" is not NAME=value` };
    }
    env[key] = line.slice(eq + 1);
  }
  return { env };
}
