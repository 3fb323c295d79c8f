import * as React from 'react';

import { ApiError } from '../api/client';
import { Created, CreateJobModel, CreateRequest } from '../model/createJob';
import { buildSettings, fieldOfServerError, IFormValues } from '../model/form';
import { initialText, kindOf, sweepSize } from '../model/params';
import { INbJobs } from '../tokens';
import { backendFields, ComputeSection, ComputeTexts, computeOptions } from './ComputeSection';
import { Errors, Field } from './fields';
import { OutputsSection } from './OutputsSection';
import { IParamRow, ParametersSection } from './ParametersSection';
import { defaultSchedule, IScheduleState, ScheduleSection } from './ScheduleSection';
import { useSignal } from './useSignal';

export type Mode = 'now' | 'schedule' | 'sweep';

/** The create-job form: run now, on a schedule, or as a parameter sweep. */
export function CreateJobForm(props: {
  service: INbJobs;
  model: CreateJobModel;
  path: string;
  onCreated: (created: Created) => void;
  onCancel: () => void;
}): JSX.Element {
  const { service, model } = props;
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
  const [v, setV] = React.useState<Omit<IFormValues, 'params'>>(() => ({
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
  }));
  const set = (patch: Partial<typeof v>) => setV(old => ({ ...old, ...patch }));

  React.useEffect(() => {
    void model.loadEnvironments().then(e => {
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

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (Object.keys(built.errors).length) {
      setErrors(built.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    const settings = built.settings;
    const request: CreateRequest =
      mode === 'now'
        ? { kind: 'job', settings }
        : mode === 'schedule'
          ? { kind: 'schedule', settings, schedule }
          : { kind: 'sweep', settings, grid: built.grid };
    try {
      props.onCreated(await model.create(request));
    } catch (error) {
      const err = error as ApiError;
      setErrors({ [fieldOfServerError(err.field)]: err.message });
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
  if (model.notebookError && !shown['input_path']) {
    shown['input_path'] = model.notebookError;
  }
  const submitLabel =
    mode === 'now'
      ? trans.__('Run now')
      : mode === 'schedule'
        ? trans.__('Create schedule')
        : runs
          ? trans._n('Run %1 job', 'Run %1 jobs', runs)
          : trans.__('Run sweep');

  return (
    <form className="jp-NbJobs-form" onSubmit={submit} noValidate>
      <h2>{trans.__('Create Notebook Job')}</h2>
      {shown['form'] && (
        <div className="jp-NbJobs-error" role="alert">
          {shown['form']}
        </div>
      )}
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
      <Field id="input_path" label={trans.__('Input notebook')} error={shown['input_path']}>
        <input
          id="nbjobs-input_path"
          className="jp-mod-styled"
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
            busy || (hasCell === null && !shown['input_path']) || (mode === 'sweep' && !runs)
          }
        >
          {submitLabel}
        </button>
      </div>
    </form>
  );
}

function baseName(path: string): string {
  const file = path.split('/').pop() ?? path;
  return file.replace(/\.ipynb$/, '');
}
