import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ApiError } from '../api/client';
import { ISchedule, IScheduleUpdate, JSONValue, Parameters } from '../api/types';
import { jobFieldShown, parseBackendOptions, serverErrors } from '../model/form';
import { parseEnv } from '../model/params';
import { ScheduleEditModel } from '../model/schedules';
import { ComputeTexts, computeOptions, computeTexts } from './ComputeSection';
import { Errors, Field, TextField } from './fields';
import { FormatChoices } from './OutputsSection';
import { IParamRow, ParametersSection } from './ParametersSection';
import { parseRows, rowsFromValues } from './paramRows';
import { RuntimeFields, runtimeFields } from './RuntimeFields';
import { IScheduleState, PRESETS, ScheduleSection } from './ScheduleSection';
import { useSignal } from './useSignal';

/**
 * Edit every field of a schedule with the create form's parts (the kernel, backend and
 * compute fields, typed parameters, the schedule section); sends only what changed (PATCH).
 */
export function ScheduleEdit(props: {
  schedule: ISchedule;
  /** The kernels, backends, formats and notebook parameters on offer; the save. */
  model: ScheduleEditModel;
  trans: TranslationBundle;
  onSaved: (s: ISchedule) => void;
  onCancel: () => void;
}): JSX.Element {
  const { schedule: s, model, trans } = props;
  useSignal(model.changed);
  const envs = model.environments;
  const [f, setF] = React.useState(() => ({
    name: s.name,
    input_path: s.input_path,
    kernel: s.kernel_name ?? '',
    backend: s.backend,
    backendOptions: Object.keys(s.backend_options).length
      ? JSON.stringify(s.backend_options, null, 2)
      : '',
    output_formats: s.output_formats,
    package_input_folder: s.package_input_folder,
    env: Object.entries(s.env)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
    timeout: s.timeout_seconds === null ? '' : String(s.timeout_seconds),
    retries: String(s.max_retries),
    tags: s.tags.join(', '),
    catchup_limit: String(s.catchup_limit),
    start_at: toLocalInput(s.start_at),
    end_at: toLocalInput(s.end_at)
  }));
  const [when, setWhen] = React.useState<IScheduleState>(() => ({
    preset: Object.keys(PRESETS).find(k => PRESETS[k] === s.cron) ?? 'custom',
    cron: s.cron,
    timezone: s.timezone,
    overlap: s.overlap_policy,
    catchup: s.catchup_policy
  }));
  const [compute, setCompute] = React.useState<ComputeTexts>({});
  // backend_options are sent only once edited: the compute fields hold only what they know.
  const [optionsEdited, setOptionsEdited] = React.useState(false);
  const [errors, setErrors] = React.useState<Errors>({});
  const set = (patch: Partial<typeof f>) => setF(old => ({ ...old, ...patch }));
  // The create form's parameter fields: the notebook's parameters, typed, with this
  // schedule's values (rows appear once the notebook's cell is read).
  const [rows, setRows] = React.useState<IParamRow[]>(() =>
    rowsFromValues(s.parameters as Parameters, [])
  );
  React.useEffect(() => {
    void model.loadEnvironments().then(e => {
      if (e) {
        const options = s.backend_options as { [k: string]: JSONValue };
        setCompute(computeTexts(runtimeFields(e, s.backend), options));
      }
    });
  }, []);
  React.useEffect(() => {
    // A notebook that cannot be read keeps the rows shown: the schedule runs its snapshot.
    void model.setPath(f.input_path).then(p => {
      if (p) {
        setRows(rowsFromValues(s.parameters as Parameters, p.parameters));
      }
    });
  }, [f.input_path]);
  const typed = parseRows(rows);
  const fields = runtimeFields(envs, f.backend);

  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    // Every mistake at once, each next to its field.
    const errs: Errors = { ...typed.errors };
    const parameters = typed.values;
    const env = parseEnv(f.env);
    if ('error' in env) {
      errs['env'] = env.error;
    }
    const timeout = f.timeout.trim() ? Number(f.timeout) : null;
    if (timeout !== null && !(timeout > 0)) {
      errs['timeout_seconds'] = trans.__('must be a positive number of seconds');
    }
    let backendOptions: { [k: string]: JSONValue } = {};
    if (fields.length) {
      const c = computeOptions(fields, compute);
      Object.assign(errs, c.errors);
      backendOptions = c.options;
    } else if (f.backend !== 'local') {
      const parsed = parseBackendOptions(f.backendOptions);
      if ('error' in parsed) {
        errs['backend_options'] = parsed.error;
      } else {
        backendOptions = parsed.options;
      }
    }
    if (Object.keys(errs).length) {
      setErrors(errs);
      return;
    }
    const all: IScheduleUpdate = {
      name: f.name,
      input_path: f.input_path,
      kernel_name: f.kernel || null,
      backend: f.backend,
      cron: when.cron,
      timezone: when.timezone,
      parameters,
      output_formats: f.output_formats,
      package_input_folder: f.package_input_folder,
      env: 'env' in env ? env.env : {},
      timeout_seconds: timeout,
      max_retries: Number(f.retries),
      tags: f.tags.split(',').map(x => x.trim()).filter(Boolean),
      overlap_policy: when.overlap,
      catchup_policy: when.catchup,
      catchup_limit: Number(f.catchup_limit),
      start_at: f.start_at ? new Date(f.start_at).toISOString() : null,
      end_at: f.end_at ? new Date(f.end_at).toISOString() : null
    };
    if (optionsEdited || f.backend !== s.backend) {
      all.backend_options = backendOptions;
    }
    const before: any = {
      ...s,
      start_at: s.start_at ? new Date(s.start_at).toISOString() : null,
      end_at: s.end_at ? new Date(s.end_at).toISOString() : null,
      kernel_name: s.kernel_name || null
    };
    const patch: any = {};
    for (const [k, v] of Object.entries(all)) {
      if (JSON.stringify(v) !== JSON.stringify(before[k])) {
        patch[k] = v;
      }
    }
    try {
      props.onSaved(await model.save(patch));
    } catch (error) {
      // Every problem the server found, each next to its field.
      const known = (key: string) =>
        SCHEDULE_KEYS.includes(key) ||
        jobFieldShown(key, { params: rows, computeFields: fields, backend: f.backend });
      setErrors(serverErrors(error as ApiError, known));
    }
  };

  const text = (key: keyof typeof f, label: string, rows = 0) => (
    <TextField
      id={`edit-${key}`}
      label={label}
      error={errors[SERVER_FIELD[key] ?? key]}
      rows={rows || undefined}
      code={rows > 0}
      value={String(f[key])}
      onChange={value => set({ [key]: value })}
    />
  );

  return (
    <form className="jp-NbJobs-form jp-NbJobs-scheduleEdit" onSubmit={save} noValidate>
      {errors['form'] && (
        <div className="jp-NbJobs-error" role="alert">
          {errors['form']}
        </div>
      )}
      {text('name', trans.__('Name'))}
      {text('input_path', trans.__('Input notebook'))}
      <RuntimeFields
        idPrefix="edit-"
        notebookKernel={trans.__("The notebook's own")}
        values={f}
        compute={compute}
        environments={envs}
        errors={errors}
        trans={trans}
        onChange={patch => {
          set(patch);
          if ('backendOptions' in patch) {
            setOptionsEdited(true);
          }
        }}
        onComputeChange={texts => {
          setCompute(texts);
          setOptionsEdited(true);
        }}
      />
      <ParametersSection
        rows={rows}
        sweep={false}
        errors={{ ...typed.errors, ...errors }}
        hasCell={true}
        trans={trans}
        onChange={setRows}
      />
      <ScheduleSection
        idPrefix="edit-"
        value={when}
        preview={model.cron}
        errors={errors}
        trans={trans}
        onChange={setWhen}
      >
        {text('catchup_limit', trans.__('At most this many missed runs'))}
        {(['start_at', 'end_at'] as const).map(key => (
          <Field
            key={key}
            id={`edit-${key}`}
            label={key === 'start_at' ? trans.__('Starts') : trans.__('Ends')}
            error={errors[key]}
          >
            <input
              id={`nbjobs-edit-${key}`}
              className="jp-mod-styled"
              type="datetime-local"
              value={f[key]}
              onChange={e => set({ [key]: e.target.value })}
            />
          </Field>
        ))}
      </ScheduleSection>
      <Field id="edit-output_formats" label={trans.__('Output formats')} error={errors['output_formats']}>
        <FormatChoices
          formats={envs?.output_formats ?? s.output_formats.map(name => ({ name, label: name }))}
          chosen={f.output_formats}
          trans={trans}
          onChange={output_formats => set({ output_formats })}
        />
      </Field>
      <Field id="edit-package" label={trans.__('Package input folder')}>
        <input
          id="nbjobs-edit-package"
          type="checkbox"
          checked={f.package_input_folder}
          onChange={e => set({ package_input_folder: e.target.checked })}
        />
      </Field>
      {text('env', trans.__('Environment variables'), 2)}
      {text('timeout', trans.__('Timeout (seconds)'))}
      {text('retries', trans.__('Retries'))}
      {text('tags', trans.__('Tags'))}
      <div className="jp-NbJobs-formButtons">
        <button type="button" className="jp-NbJobs-textButton" onClick={props.onCancel}>
          {trans.__('Cancel')}
        </button>
        <button type="submit" className="jp-NbJobs-textButton jp-mod-accept">
          {trans.__('Save')}
        </button>
      </div>
    </form>
  );
}

/** The server's name of a field the form names otherwise. */
const SERVER_FIELD: { [key: string]: string } = {
  timeout: 'timeout_seconds',
  retries: 'max_retries'
};

/** Error keys of the inputs this form has besides a job's settings. */
const SCHEDULE_KEYS = ['cron', 'timezone', 'catchup_limit', 'start_at', 'end_at'];

/** ISO time -> the local "YYYY-MM-DDTHH:mm" a datetime-local input shows. */
function toLocalInput(iso: string | null): string {
  if (!iso) {
    return '';
  }
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}`
  );
}
