/**
 * The create-job form's values -> a request body, with every client-side check. Errors
 * are keyed by field so the form can show each one next to its input.
 */
import { IJobRerun, IJobSettings, JSONValue, Parameters } from '../api/types';
import { parseEnv, parseSweepValues, parseValue, ParamKind, sweepSize } from './params';

export interface IFormParam {
  name: string;
  kind: ParamKind;
  text: string;
  sweepText: string;
}

export interface IFormValues {
  name: string;
  inputPath: string;
  kernel: string;
  backend: string;
  backendOptions: string;
  params: IFormParam[];
  outputFormats: string[];
  packageInputFolder: boolean;
  env: string;
  timeout: string;
  retries: string;
  tags: string;
}

export type FieldErrors = { [field: string]: string };

export interface IBuilt {
  settings: IJobSettings;
  grid: { [name: string]: JSONValue[] };
  errors: FieldErrors;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function buildSettings(v: IFormValues, sweep: boolean): IBuilt {
  const errors: FieldErrors = {};
  const parameters: Parameters = {};
  const grid: { [name: string]: JSONValue[] } = {};
  v.params.forEach((p, i) => {
    const key = p.name ? `param:${p.name}` : `param#${i}`;
    if (!IDENT.test(p.name)) {
      errors[key] = 'the name must be a Python identifier';
      return;
    }
    if (p.name in parameters) {
      errors[key] = 'this name is used twice';
      return;
    }
    if (sweep && p.sweepText.trim()) {
      const values = parseSweepValues(p.kind, p.sweepText);
      if ('error' in values) {
        errors[key] = values.error;
      } else {
        grid[p.name] = values.values;
      }
    }
    if (p.kind === 'json' && !p.text.trim() && grid[p.name]) {
      return;
    }
    const parsed = parseValue(p.kind, p.text);
    if ('error' in parsed) {
      errors[key] = errors[key] ?? parsed.error;
    } else {
      parameters[p.name] = parsed.value;
    }
  });
  if (sweep && sweepSize(grid) === 0) {
    errors['sweep'] = 'give several values to at least one parameter';
  }
  if (!v.inputPath.trim()) {
    errors['input_path'] = 'choose a notebook';
  }
  const env = parseEnv(v.env);
  if ('error' in env) {
    errors['env'] = env.error;
  }
  let timeout: number | null = null;
  if (v.timeout.trim()) {
    timeout = Number(v.timeout);
    if (!Number.isFinite(timeout) || timeout <= 0) {
      errors['timeout_seconds'] = 'must be a positive number of seconds';
    }
  }
  const retries = v.retries.trim() ? Number(v.retries) : 0;
  if (!Number.isInteger(retries) || retries < 0 || retries > 30) {
    errors['max_retries'] = 'must be a whole number from 0 to 30';
  }
  const options = parseBackendOptions(v.backendOptions);
  if ('error' in options) {
    errors['backend_options'] = options.error;
  }
  const backendOptions = 'options' in options ? options.options : {};
  const tags = v.tags
    .split(',')
    .map(t => t.trim())
    .filter(Boolean);
  const formats = Array.from(new Set(['ipynb', ...v.outputFormats]));
  const settings: IJobSettings = {
    input_path: v.inputPath.trim(),
    name: v.name.trim() || null,
    kernel_name: v.kernel || null,
    backend: v.backend || 'local',
    backend_options: backendOptions,
    parameters,
    output_formats: formats,
    package_input_folder: v.packageInputFolder,
    env: 'env' in env ? env.env : {},
    timeout_seconds: timeout,
    max_retries: retries,
    tags
  };
  return { settings, grid, errors };
}

/** backend_options typed as JSON (empty: none). */
export function parseBackendOptions(
  text: string
): { options: { [k: string]: JSONValue } } | { error: string } {
  if (!text.trim()) {
    return { options: {} };
  }
  try {
    const parsed = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return { options: parsed };
    }
  } catch {
    // Not JSON: the same answer as JSON that is not an object.
  }
  return { error: 'must be a JSON object' };
}

/** Where a server error belongs: its `field` (e.g. parameters.n) -> a form field key. */
export function fieldOfServerError(field: string | null | undefined): string {
  if (!field) {
    return 'form';
  }
  const [head, second] = field.split('.');
  if ((head === 'parameters' || head === 'grid') && second) {
    return `param:${second}`;
  }
  if (head === 'backend_options' && second) {
    return `backend_options.${second}`;
  }
  return head;
}

/** Error keys of the inputs every form of job settings has. */
export const JOB_FIELD_KEYS: readonly string[] = [
  'form',
  'name',
  'input_path',
  'kernel_name',
  'backend',
  'parameters',
  'output_formats',
  'env',
  'timeout_seconds',
  'max_retries',
  'tags'
];

/**
 * Whether a form of job settings shows this error key next to an input: one of its fixed
 * inputs, a parameter row it has, a compute field of the chosen backend, or the JSON options
 * of a backend that describes no fields. Other keys join the form-level message.
 */
export function jobFieldShown(
  key: string,
  form: {
    params: readonly { name: string }[];
    computeFields: readonly { name: string }[];
    backend: string;
  }
): boolean {
  return (
    JOB_FIELD_KEYS.includes(key) ||
    (key.startsWith('param:') && form.params.some(p => `param:${p.name}` === key)) ||
    (key.startsWith('backend_options.') &&
      form.computeFields.some(f => `backend_options.${f.name}` === key)) ||
    (key === 'backend_options' && form.backend !== 'local' && !form.computeFields.length)
  );
}

/** What a server error body says, as ApiError carries it. */
export interface IServerError {
  message: string;
  field?: string | null;
  errors?: readonly { field?: string | null; message: string }[];
}

/**
 * Every problem of a refused request, keyed by form field (fieldOfServerError), so that
 * each shows next to its input at once. A problem whose field the form has no input for
 * (`shown` says which it has) joins the form-level message, named by its field. Without a
 * list (a check past validation), the one message goes to its field.
 */
export function serverErrors(
  error: IServerError,
  shown: (key: string) => boolean = () => true
): FieldErrors {
  const problems = error.errors?.length
    ? error.errors
    : [{ field: error.field, message: error.message }];
  const out: FieldErrors = {};
  const add = (key: string, message: string) => {
    out[key] = out[key] ? `${out[key]}; ${message}` : message;
  };
  for (const problem of problems) {
    const key = fieldOfServerError(problem.field);
    if (key === 'form' || shown(key)) {
      add(key, problem.message);
    } else {
      add('form', error.errors?.length ? `${problem.field}: ${problem.message}` : problem.message);
    }
  }
  return out;
}

/** The settings of an earlier job (or a schedule) -> the form's values, to run it again. */
export function valuesFromSettings(
  s: Required<Pick<IJobSettings, 'input_path'>> & IJobSettings
): Omit<IFormValues, 'params'> {
  const options = s.backend_options ?? {};
  return {
    name: s.name ?? '',
    inputPath: s.input_path,
    kernel: s.kernel_name ?? '',
    backend: s.backend ?? 'local',
    backendOptions: Object.keys(options).length ? JSON.stringify(options, null, 2) : '',
    outputFormats: (s.output_formats ?? []).filter(f => f !== 'ipynb'),
    packageInputFolder: !!s.package_input_folder,
    env: Object.entries(s.env ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
    timeout:
      s.timeout_seconds === null || s.timeout_seconds === undefined
        ? ''
        : String(s.timeout_seconds),
    retries: String(s.max_retries ?? 0),
    tags: (s.tags ?? []).join(', ')
  };
}

/**
 * A rerun's body from the form's settings: every setting as the form has it, but the input
 * notebook and its packaging, which are the earlier run's snapshot.
 */
export function rerunBody(settings: IJobSettings): IJobRerun {
  const { input_path: _path, package_input_folder: _package, ...changes } = settings;
  return changes;
}
