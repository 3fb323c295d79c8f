import * as React from 'react';

import { ApiError } from '../api/client';
import { JSONValue, Parameters } from '../api/types';
import { Created, CreateJobModel, CreateRequest, IRunAgain } from '../model/createJob';
import {
  buildSettings,
  IFormValues,
  rerunBody,
  serverErrors,
  valuesFromSettings
} from '../model/form';
import { initialText, kindOf, sweepSize } from '../model/params';
import { INbJobs } from '../tokens';
import {
  backendFields,
  ComputeSection,
  ComputeTexts,
  computeOptions,
  computeTexts
} from './ComputeSection';
import { Errors, Field } from './fields';
import { OutputsSection } from './OutputsSection';
import { IParamRow, ParametersSection } from './ParametersSection';
import { rowsFromValues } from './paramRows';
import { defaultSchedule, IScheduleState, ScheduleSection } from './ScheduleSection';
import { useSignal } from './useSignal';

export type Mode = 'now' | 'schedule' | 'sweep';

/**
 * The create-job form: run now, on a schedule, or as a parameter sweep; with `again`, the
 * same form prefilled to run an earlier job (or a schedule) again from its snapshot.
 */
export function CreateJobForm(props: {
  service: INbJobs;
  model: CreateJobModel;
  path: string;
  onCreated: (created: Created) => void;
  onCancel: () => void;
  again?: IRunAgain;
}): JSX.Element {
  const { service, model, again } = props;
  const { trans } = service;
  useSignal(model.changed);
  const envs = model.environments;
  const hasCell = model.notebook?.has_parameters_cell ?? null;
  const [mode, setMode] = React.useState<Mode>('now');
  const [schedule, setSchedule] = React.useState<IScheduleState>(defaultSchedule);
  const [errors, setErrors] = React.useState<Errors>({});
  const [busy, setBusy] = React.useState(false);
  const [rows, setRowsState] = React.useState<IParamRow[]>([]);
  // Parameters the user has typed in: their mistakes show as typed, not only on submit.
  const [touched, setTouched] = React.useState<Set<string>>(new Set());
  const setRows = (next: IParamRow[], typed = true) => {
    if (typed) {
      const changed = next
        .map((r, i) => (r !== rows[i] ? (r.name ? `param:${r.name}` : `param#${i}`) : ''))
        .filter(Boolean);
      if (changed.length) {
        setTouched(old => new Set([...old, ...changed]));
      }
    }
    setRowsState(next);
  };
  const [compute, setCompute] = React.useState<ComputeTexts>({});
  const [v, setV] = React.useState<Omit<IFormValues, 'params'>>(() =>
    again
      ? valuesFromSettings(again.settings)
      : {
          name: baseName(props.path),
          inputPath: props.path,
          kernel: '',
          backend: service.settings.defaultBackend,
          backendOptions: '',
          outputFormats: service.settings.defaultOutputFormats,
          packageInputFolder: false,
          env: '',
          timeout: '',
          retries: '0',
          tags: ''
        }
  );
  // The notebook's parameters could not be read, so a rerun shows only the earlier values.
  const [noNotebook, setNoNotebook] = React.useState(false);
  const set = (patch: Partial<typeof v>) => setV(old => ({ ...old, ...patch }));

  React.useEffect(() => {
    void model.loadEnvironments().then(e => {
      if (e && again) {
        const options = (again.settings.backend_options ?? {}) as { [k: string]: JSONValue };
        const backend = e.backends.find(b => b.name === again.settings.backend);
        setCompute(computeTexts(backendFields(backend), options));
      }
      if (e) {
        setV(old => ({
          ...old,
          backend: old.backend || e.backends.find(b => b.default)?.name || 'local',
          kernel: old.kernel || e.default_kernel || ''
        }));
      }
    });
  }, []);

  React.useEffect(() => {
    setErrors(({ input_path: _, ...rest }) => rest);
    void model.setPath(v.inputPath).then(p => {
      if (again) {
        // The earlier values in the notebook's typed fields; the kernel stays the earlier one.
        setNoNotebook(!p && !!model.notebookError);
        if (p || model.notebookError) {
          setTouched(new Set());
          setRowsState(
            rowsFromValues((again.settings.parameters ?? {}) as Parameters, p?.parameters ?? [])
          );
        }
        return;
      }
      if (p) {
        if (p.kernel_name) {
          set({ kernel: p.kernel_name });
        }
        setTouched(new Set());
        setRowsState(
          p.parameters.map(param => ({
            name: param.name,
            kind: kindOf(param.inferred_type),
            text: initialText(param),
            sweepText: '',
            help: param.help,
            custom: false
          }))
        );
      }
    });
  }, [v.inputPath]);

  const fields = backendFields(envs?.backends.find(b => b.name === v.backend));
  const built = buildSettings({ ...v, params: rows }, mode === 'sweep');
  if (fields.length) {
    const c = computeOptions(fields, compute);
    built.settings.backend_options = c.options;
    Object.assign(built.errors, c.errors);
  }
  const runs = mode === 'sweep' ? sweepSize(built.grid) : 1;
  // The error keys this form shows next to an input (others join the form's message).
  const shownKey = (key: string) =>
    FIELD_KEYS.includes(key) ||
    (key.startsWith('param:') && rows.some(r => `param:${r.name}` === key)) ||
    (key.startsWith('backend_options.') &&
      fields.some(f => `backend_options.${f.name}` === key)) ||
    (key === 'backend_options' && v.backend !== 'local' && !fields.length) ||
    (mode === 'schedule' && (key === 'cron' || key === 'timezone'));

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (Object.keys(built.errors).length) {
      setErrors(built.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    const settings = built.settings;
    if (again) {
      try {
        props.onCreated({ kind: 'job', job: await again.run(rerunBody(settings)) });
      } catch (error) {
        setErrors(serverErrors(error as ApiError, shownKey));
      } finally {
        setBusy(false);
      }
      return;
    }
    const request: CreateRequest =
      mode === 'now'
        ? { kind: 'job', settings }
        : mode === 'schedule'
          ? { kind: 'schedule', settings, schedule }
          : { kind: 'sweep', settings, grid: built.grid };
    try {
      props.onCreated(await model.create(request));
    } catch (error) {
      setErrors(serverErrors(error as ApiError, shownKey));
    } finally {
      setBusy(false);
    }
  };

  // What the server said about the environments or the notebook, unless the form knows better.
  const shown: Errors = { ...errors };
  touched.forEach(key => {
    if (built.errors[key] && !shown[key]) {
      shown[key] = built.errors[key];
    }
  });
  if (model.environmentsError && !shown['form']) {
    shown['form'] = model.environmentsError;
  }
  if (model.notebookError && !shown['input_path'] && !again) {
    shown['input_path'] = model.notebookError;
  }
  const submitLabel = again
    ? again.submitLabel
    : mode === 'now'
      ? trans.__('Run now')
      : mode === 'schedule'
        ? trans.__('Create schedule')
        : runs
          ? trans._n('Run %1 job', 'Run %1 jobs', runs)
          : trans.__('Run sweep');

  return (
    <form className="jp-NbJobs-form" onSubmit={submit} noValidate>
      <h2>{again ? again.title : trans.__('Create Notebook Job')}</h2>
      {shown['form'] && (
        <div className="jp-NbJobs-error" role="alert">
          {shown['form']}
        </div>
      )}
      {!again && (
        <div className="jp-NbJobs-modes" role="radiogroup" aria-label={trans.__('When')}>
          {(['now', 'schedule', 'sweep'] as Mode[]).map(m => (
            <label key={m} className="jp-NbJobs-mode">
              <input
                type="radio"
                name="nbjobs-mode"
                value={m}
                checked={mode === m}
                onChange={() => setMode(m)}
              />
              {m === 'now'
                ? trans.__('Run now')
                : m === 'schedule'
                  ? trans.__('On a schedule')
                  : trans.__('Parameter sweep')}
            </label>
          ))}
        </div>
      )}
      <Field
        id="name"
        label={trans.__('Name')}
        error={shown['name']}
        help={
          v.name.trim()
            ? undefined
            : trans.__('Left empty, the job is named "%1", after its notebook.', baseName(v.inputPath))
        }
      >
        <input
          id="nbjobs-name"
          className="jp-mod-styled"
          placeholder={baseName(v.inputPath)}
          value={v.name}
          onChange={e => set({ name: e.target.value })}
        />
      </Field>
      <Field
        id="input_path"
        label={trans.__('Input notebook')}
        error={shown['input_path']}
        help={
          again
            ? noNotebook
              ? trans.__(
                  'This notebook is no longer there: the run uses the snapshot taken earlier, with the values below.'
                )
              : trans.__('The run uses the snapshot of this notebook taken earlier, not the file as it is now.')
            : undefined
        }
      >
        <input
          id="nbjobs-input_path"
          className="jp-mod-styled"
          readOnly={!!again}
          value={v.inputPath}
          onChange={e => set({ inputPath: e.target.value })}
        />
      </Field>
      <Field id="kernel_name" label={trans.__('Kernel')} error={shown['kernel_name']}>
        <select
          id="nbjobs-kernel_name"
          className="jp-mod-styled"
          value={v.kernel}
          onChange={e => set({ kernel: e.target.value })}
        >
          {!envs?.kernels.some(k => k.name === v.kernel) && (
            <option value={v.kernel}>{v.kernel || trans.__('(notebook default)')}</option>
          )}
          {envs?.kernels.map(k => (
            <option key={k.name} value={k.name}>
              {k.display_name}
            </option>
          ))}
        </select>
      </Field>
      <Field id="backend" label={trans.__('Backend')} error={shown['backend']}>
        <select
          id="nbjobs-backend"
          className="jp-mod-styled"
          value={v.backend}
          onChange={e => set({ backend: e.target.value })}
        >
          {(envs?.backends ?? [{ name: 'local', label: 'Local' }]).map(b => (
            <option key={b.name} value={b.name}>
              {b.label}
            </option>
          ))}
        </select>
      </Field>
      {fields.length > 0 && (
        <ComputeSection
          fields={fields}
          texts={compute}
          errors={shown}
          trans={trans}
          onChange={setCompute}
        />
      )}
      {v.backend !== 'local' && !fields.length && (
        <Field
          id="backend_options"
          label={trans.__('Compute options (JSON)')}
          error={shown['backend_options']}
          help={JSON.stringify(envs?.backends.find(b => b.name === v.backend)?.options ?? {})}
        >
          <textarea
            id="nbjobs-backend_options"
            className="jp-mod-styled jp-NbJobs-code"
            rows={3}
            value={v.backendOptions}
            onChange={e => set({ backendOptions: e.target.value })}
          />
        </Field>
      )}
      <ParametersSection
        rows={rows}
        sweep={mode === 'sweep'}
        errors={shown}
        hasCell={hasCell}
        trans={trans}
        onChange={setRows}
      />
      {mode === 'sweep' && (
        <div className="jp-NbJobs-sweepCount" aria-live="polite">
          {shown['sweep'] ? (
            <span className="jp-NbJobs-fieldError" role="alert">
              {shown['sweep']}
            </span>
          ) : runs ? (
            trans._n('This sweep makes %1 run.', 'This sweep makes %1 runs.', runs)
          ) : (
            <span className="jp-NbJobs-help">
              {trans.__(
                'Give a parameter several values, one per line, to make one run per value.'
              )}
            </span>
          )}
        </div>
      )}
      {mode === 'schedule' && (
        <ScheduleSection
          value={schedule}
          preview={model.cron}
          errors={shown}
          trans={trans}
          onChange={setSchedule}
        />
      )}
      <OutputsSection
        values={v}
        formats={envs?.output_formats}
        errors={shown}
        trans={trans}
        onChange={set}
        packageFixed={again ? trans.__('As in the earlier snapshot') : undefined}
      />
      <div className="jp-NbJobs-formButtons">
        <button type="button" className="jp-mod-styled jp-mod-reject" onClick={props.onCancel}>
          {trans.__('Cancel')}
        </button>
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept"
          // Wait for the notebook's parameters, or the job would run without them.
          disabled={
            busy ||
            (again
              ? !model.notebook && !noNotebook
              : hasCell === null && !shown['input_path']) ||
            (mode === 'sweep' && !runs)
          }
        >
          {submitLabel}
        </button>
      </div>
    </form>
  );
}

/** Error keys of inputs the form always has. */
const FIELD_KEYS = [
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

function baseName(path: string): string {
  const file = path.split('/').pop() ?? path;
  return file.replace(/\.ipynb$/, '');
}
