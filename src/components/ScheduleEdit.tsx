import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { ApiError, NbJobsClient } from '../api/client';
import {
  CatchupPolicy,
  IEnvironments,
  ISchedule,
  IScheduleUpdate,
  OverlapPolicy,
  Parameters
} from '../api/types';
import { serverErrors } from '../model/form';
import { parseEnv } from '../model/params';
import { Errors, Field } from './fields';
import { FormatChoices } from './OutputsSection';
import { IParamRow, ParametersSection } from './ParametersSection';
import { parseRows, rowsFromValues } from './paramRows';
import { describeCron, PolicyFields, PRESETS, timezones } from './ScheduleSection';
import { presetLabel } from './vocabulary';

/** Edit every field of a schedule; sends only what changed (PATCH). */
export function ScheduleEdit(props: {
  schedule: ISchedule;
  trans: TranslationBundle;
  /** For the notebook's parameters and the kernels, backends and formats on offer. */
  client: NbJobsClient;
  /** Send the changed fields; rejects with the server's ApiError. */
  onSave: (patch: IScheduleUpdate) => Promise<ISchedule>;
  onSaved: (s: ISchedule) => void;
  onCancel: () => void;
}): JSX.Element {
  const { schedule: s, trans } = props;
  const [f, setF] = React.useState(() => ({
    name: s.name,
    input_path: s.input_path,
    kernel_name: s.kernel_name ?? '',
    backend: s.backend,
    cron: s.cron,
    timezone: s.timezone,
    output_formats: s.output_formats,
    package_input_folder: s.package_input_folder,
    env: Object.entries(s.env)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
    timeout: s.timeout_seconds === null ? '' : String(s.timeout_seconds),
    retries: String(s.max_retries),
    tags: s.tags.join(', '),
    overlap: s.overlap_policy,
    catchup: s.catchup_policy,
    catchup_limit: String(s.catchup_limit),
    start_at: toLocalInput(s.start_at),
    end_at: toLocalInput(s.end_at)
  }));
  const [errors, setErrors] = React.useState<Errors>({});
  const set = (patch: Partial<typeof f>) => setF(old => ({ ...old, ...patch }));
  // The create form's parameter fields: the notebook's parameters, typed, with this
  // schedule's values (rows appear once the notebook's cell is read).
  const [rows, setRows] = React.useState<IParamRow[]>(() => rowsFromValues(s.parameters as Parameters, []));
  const [envs, setEnvs] = React.useState<IEnvironments | null>(null);
  React.useEffect(() => {
    void props.client.getEnvironments().then(setEnvs, () => undefined);
  }, []);
  React.useEffect(() => {
    void props.client.getParameters(f.input_path).then(
      p => setRows(rowsFromValues(s.parameters as Parameters, p.parameters)),
      () => undefined
    );
  }, [f.input_path]);
  const zones = React.useMemo(timezones, []);
  const typed = parseRows(rows);

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
    if (Object.keys(errs).length) {
      setErrors(errs);
      return;
    }
    const all: IScheduleUpdate = {
      name: f.name,
      input_path: f.input_path,
      kernel_name: f.kernel_name || null,
      backend: f.backend,
      cron: f.cron,
      timezone: f.timezone,
      parameters,
      output_formats: f.output_formats,
      package_input_folder: f.package_input_folder,
      env: 'env' in env ? env.env : {},
      timeout_seconds: timeout,
      max_retries: Number(f.retries),
      tags: f.tags.split(',').map(x => x.trim()).filter(Boolean),
      overlap_policy: f.overlap as OverlapPolicy,
      catchup_policy: f.catchup as CatchupPolicy,
      catchup_limit: Number(f.catchup_limit),
      start_at: f.start_at ? new Date(f.start_at).toISOString() : null,
      end_at: f.end_at ? new Date(f.end_at).toISOString() : null
    };
    const before: any = {
      ...s,
      start_at: s.start_at ? new Date(s.start_at).toISOString() : null,
      end_at: s.end_at ? new Date(s.end_at).toISOString() : null,
      kernel_name: s.kernel_name || null,
      overlap_policy: s.overlap_policy,
      catchup_policy: s.catchup_policy
    };
    const patch: any = {};
    for (const [k, v] of Object.entries(all)) {
      if (JSON.stringify(v) !== JSON.stringify(before[k])) {
        patch[k] = v;
      }
    }
    try {
      props.onSaved(await props.onSave(patch));
    } catch (error) {
      // Every problem the server found, each next to its field.
      const known = (key: string) =>
        EDIT_KEYS.includes(key) ||
        (key.startsWith('param:') && rows.some(r => `param:${r.name}` === key));
      setErrors(serverErrors(error as ApiError, known));
    }
  };

  const text = (key: keyof typeof f, label: string, rows = 0) => (
    <Field id={`edit-${key}`} label={label} error={errors[SERVER_FIELD[key] ?? key]}>
      {rows ? (
        <textarea
          id={`nbjobs-edit-${key}`}
          className="jp-mod-styled jp-NbJobs-code"
          rows={rows}
          value={String(f[key])}
          onChange={e => set({ [key]: e.target.value } as any)}
        />
      ) : (
        <input
          id={`nbjobs-edit-${key}`}
          className="jp-mod-styled"
          value={String(f[key])}
          onChange={e => set({ [key]: e.target.value } as any)}
        />
      )}
    </Field>
  );

  return (
    <form className="jp-NbJobs-form jp-NbJobs-scheduleEdit" onSubmit={save} noValidate>
      {errors['form'] && (
        <div className="jp-NbJobs-error" role="alert">
          {errors['form']}
        </div>
      )}
      {text('name', trans.__('Name'))}
      <Field id="edit-preset" label={trans.__('Repeat')}>
        <select
          id="nbjobs-edit-preset"
          className="jp-mod-styled"
          value={Object.keys(PRESETS).find(k => PRESETS[k] === f.cron) ?? 'custom'}
          onChange={e => PRESETS[e.target.value] && set({ cron: PRESETS[e.target.value] })}
        >
          {Object.keys(PRESETS).map(k => (
            <option key={k} value={k}>
              {presetLabel(k, trans)}
            </option>
          ))}
          <option value="custom">{trans.__('Custom (cron)')}</option>
        </select>
      </Field>
      <Field
        id="edit-cron"
        label={trans.__('Cron expression')}
        error={errors['cron']}
        help={describeCron(f.cron) ?? undefined}
      >
        <input
          id="nbjobs-edit-cron"
          className="jp-mod-styled jp-NbJobs-code"
          value={f.cron}
          onChange={e => set({ cron: e.target.value })}
        />
      </Field>
      <Field id="edit-timezone" label={trans.__('Time zone')} error={errors['timezone']}>
        <select
          id="nbjobs-edit-timezone"
          className="jp-mod-styled"
          value={f.timezone}
          onChange={e => set({ timezone: e.target.value })}
        >
          {(zones.includes(f.timezone) ? zones : [f.timezone, ...zones]).map(z => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </Field>
      {text('input_path', trans.__('Input notebook'))}
      <Field id="edit-kernel_name" label={trans.__('Kernel')} error={errors['kernel_name']}>
        <select
          id="nbjobs-edit-kernel_name"
          className="jp-mod-styled"
          value={f.kernel_name}
          onChange={e => set({ kernel_name: e.target.value })}
        >
          <option value="">{trans.__("The notebook's own")}</option>
          {f.kernel_name && !envs?.kernels.some(k => k.name === f.kernel_name) && (
            <option value={f.kernel_name}>{f.kernel_name}</option>
          )}
          {envs?.kernels.map(k => (
            <option key={k.name} value={k.name}>
              {k.display_name}
            </option>
          ))}
        </select>
      </Field>
      <Field id="edit-backend" label={trans.__('Backend')} error={errors['backend']}>
        <select
          id="nbjobs-edit-backend"
          className="jp-mod-styled"
          value={f.backend}
          onChange={e => set({ backend: e.target.value })}
        >
          {(envs?.backends ?? [{ name: f.backend, label: f.backend }]).map(b => (
            <option key={b.name} value={b.name}>
              {b.label}
            </option>
          ))}
        </select>
      </Field>
      <ParametersSection
        rows={rows}
        sweep={false}
        errors={{ ...typed.errors, ...errors }}
        hasCell={true}
        trans={trans}
        onChange={setRows}
      />
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
      <PolicyFields
        idPrefix="edit-"
        overlap={f.overlap}
        catchup={f.catchup}
        onChange={set}
        trans={trans}
      />
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
            onChange={e => set({ [key]: e.target.value } as any)}
          />
        </Field>
      ))}
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

/** Error keys of the inputs this form has (others join its form-level message). */
const EDIT_KEYS = [
  'form',
  'name',
  'cron',
  'timezone',
  'input_path',
  'kernel_name',
  'backend',
  'parameters',
  'output_formats',
  'env',
  'timeout_seconds',
  'max_retries',
  'tags',
  'catchup_limit',
  'start_at',
  'end_at'
];

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
