import * as React from 'react';

import { ApiError } from '../api/client';
import { JSONValue, Parameters } from '../api/types';
import { Created, CreateJobModel, CreateRequest, IRunAgain } from '../model/createJob';
import {
  buildSettings,
  IFormValues,
  jobFieldShown,
  rerunBody,
  serverErrors,
  valuesFromSettings
} from '../model/form';
import { initialText, kindOf, sweepSize } from '../model/params';
import { INbJobs } from '../tokens';
import { backendFields, ComputeTexts, computeOptions, computeTexts } from './ComputeSection';
import { Errors, TextField } from './fields';
import { OutputsSection } from './OutputsSection';
import { IParamRow, ParametersSection } from './ParametersSection';
import { rowsFromValues } from './paramRows';
import { RuntimeFields, runtimeFields } from './RuntimeFields';
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

  const fields = runtimeFields(envs, v.backend);
  const built = buildSettings({ ...v, params: rows }, mode === 'sweep');
  if (fields.length) {
    const c = computeOptions(fields, compute);
    built.settings.backend_options = c.options;
    Object.assign(built.errors, c.errors);
  }
  const runs = mode === 'sweep' ? sweepSize(built.grid) : 1;
  // The error keys this form shows next to an input (others join the form's message).
  const shownKey = (key: string) =>
    jobFieldShown(key, { params: rows, computeFields: fields, backend: v.backend }) ||
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
      <TextField
        id="name"
        label={trans.__('Name')}
        error={shown['name']}
        help={
          v.name.trim()
            ? undefined
            : trans.__('Left empty, the job is named "%1", after its notebook.', baseName(v.inputPath))
        }
        placeholder={baseName(v.inputPath)}
        value={v.name}
        onChange={name => set({ name })}
      />
      <TextField
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
        readOnly={!!again}
        value={v.inputPath}
        onChange={inputPath => set({ inputPath })}
      />
      <RuntimeFields
        values={v}
        compute={compute}
        environments={envs}
        errors={shown}
        trans={trans}
        onChange={set}
        onComputeChange={setCompute}
      />
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

function baseName(path: string): string {
  const file = path.split('/').pop() ?? path;
  return file.replace(/\.ipynb$/, '');
}
