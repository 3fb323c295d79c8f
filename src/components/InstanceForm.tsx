import * as React from 'react';

import { ApiError } from '../api/client';
import { IInstance } from '../api/instanceTypes';
import { INbInstances } from '../instanceTokens';
import { InstanceEditorModel } from '../model/instanceEditor';
import {
  buildCreate,
  buildUpdate,
  checkInstanceName,
  fieldOfServerError,
  filterInstanceTypes,
  IInstanceFormValues,
  initialValues
} from '../model/instanceForm';
import { Errors, Field } from './fields';
import { roleLabel } from './instanceFormat';
import { useSignal } from './useSignal';

/**
 * The notebook-instance form (main area): create one in a project, or edit one (its type,
 * volume, lifecycle configuration and EMR cluster while it is stopped, its stop time always).
 */
export function InstanceForm(props: {
  service: INbInstances;
  model: InstanceEditorModel;
  /** The project preselected when creating. */
  project: string | null;
  onDone: (instance: IInstance) => void;
  onCancel: () => void;
}): JSX.Element {
  const { service, model } = props;
  const { trans } = service;
  const editing = model.instance;
  useSignal(model.changed);
  const options = model.options;
  const [v, setV] = React.useState<IInstanceFormValues>(() =>
    initialValues(null, props.project ?? '', editing ?? undefined)
  );
  const [touched, setTouched] = React.useState(false);
  const [errors, setErrors] = React.useState<Errors>({});
  const [busy, setBusy] = React.useState(false);
  const [typeQuery, setTypeQuery] = React.useState('');
  const set = (patch: Partial<IInstanceFormValues>) => setV(old => ({ ...old, ...patch }));

  React.useEffect(() => {
    if (!editing) {
      void model.loadMe().then(me => {
        const projects = model.projects;
        if (me && !projects.some(p => p.name === v.project) && projects.length) {
          set({ project: projects[0].name });
        }
      });
    }
  }, []);

  React.useEffect(() => {
    if (!v.project) {
      return;
    }
    void model.loadOptions(v.project).then(o => {
      if (o && !editing) {
        // A new project's defaults, unless the user chose otherwise already.
        setV(old => ({
          ...initialValues(o, old.project),
          name: old.name,
          instanceType: o.instance_types.includes(old.instanceType)
            ? old.instanceType
            : o.default_instance_type
        }));
      }
    });
  }, [v.project]);

  const canUpdate = !editing || editing.actions.includes('update');
  const canSetStop =
    (!editing || editing.actions.includes('set_stop_time') || canUpdate) &&
    (options?.allow_override ?? false);
  const built = editing
    ? buildUpdate(v, options, editing, trans)
    : buildCreate(v, options, trans);
  // The name is checked as typed; the other fields when submitting.
  const live: Errors = {};
  if (!editing && (touched || v.name)) {
    const why = checkInstanceName(v.name, trans);
    if (why) {
      live['name'] = why;
    }
  }
  const shown: Errors = { ...errors, ...live };
  if (model.error && !shown['form']) {
    shown['form'] = model.error;
  }

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(built.errors).length) {
      setErrors(built.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const instance = editing
        ? await model.update(built.body)
        : await model.create(built.body as Parameters<InstanceEditorModel['create']>[0]);
      props.onDone(instance);
    } catch (error) {
      const err = error as ApiError;
      setErrors({ [fieldOfServerError(err.field)]: err.message });
    } finally {
      setBusy(false);
    }
  };

  const types = filterInstanceTypes(options?.instance_types ?? [], typeQuery);
  if (v.instanceType && !types.includes(v.instanceType)) {
    types.unshift(v.instanceType);
  }
  const clusters = options?.emr_clusters ?? [];
  const zone = options?.timezone ?? editing?.timezone ?? 'UTC';
  const projectStop = options?.stop_time ?? null;

  return (
    <form
      className="jp-NbJobs-form jp-NbJobs-instanceForm"
      onSubmit={submit}
      noValidate
      data-mode={editing ? 'edit' : 'create'}
    >
      <h2>
        {editing
          ? trans.__('Edit notebook instance %1', editing.name)
          : trans.__('New notebook instance')}
      </h2>
      {shown['form'] && (
        <div className="jp-NbJobs-error" role="alert">
          {shown['form']}
        </div>
      )}
      {!editing && (
        <Field
          id="name"
          label={trans.__('Name')}
          error={shown['name']}
          help={trans.__('Up to 63 letters, digits and hyphens; a letter or digit at each end.')}
        >
          <input
            id="nbjobs-name"
            className="jp-mod-styled"
            value={v.name}
            autoComplete="off"
            aria-invalid={!!shown['name']}
            aria-describedby={shown['name'] ? 'nbjobs-name-error' : undefined}
            onChange={e => {
              set({ name: e.target.value });
              setErrors(({ name: _, ...rest }) => rest);
            }}
            onBlur={() => setTouched(true)}
          />
        </Field>
      )}
      <Field id="project" label={trans.__('Project')} error={shown['project']}>
        {editing ? (
          <span className="jp-NbJobs-readonly">{editing.project}</span>
        ) : (
          <select
            id="nbjobs-project"
            className="jp-mod-styled"
            value={v.project}
            onChange={e => set({ project: e.target.value })}
          >
            {!model.projects.length && <option value="">{trans.__('(no project)')}</option>}
            {model.projects.map(p => (
              <option key={p.name} value={p.name}>
                {trans.__('%1 (%2)', p.name, roleLabel(p.role, trans))}
              </option>
            ))}
          </select>
        )}
      </Field>
      {editing && !canUpdate && (
        <div className="jp-NbJobs-notice" role="status">
          {trans.__(
            'Stop the instance to change its type, volume, lifecycle configuration or EMR cluster.'
          )}
        </div>
      )}
      <Field id="instance_type" label={trans.__('Instance type')} error={shown['instance_type']}>
        <input
          id="nbjobs-instance-type-search"
          type="search"
          className="jp-mod-styled"
          placeholder={trans.__('Search instance types (e.g. t3, xlarge)')}
          aria-label={trans.__('Search instance types')}
          value={typeQuery}
          disabled={!canUpdate}
          onChange={e => setTypeQuery(e.target.value)}
        />
        <select
          id="nbjobs-instance_type"
          className="jp-mod-styled jp-NbJobs-typeList"
          size={6}
          value={v.instanceType}
          disabled={!canUpdate}
          onChange={e => set({ instanceType: e.target.value })}
        >
          {types.map(t => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        {typeQuery && !types.length && (
          <div className="jp-NbJobs-help">{trans.__('No instance type matches.')}</div>
        )}
      </Field>
      <Field
        id="volume_size_gb"
        label={trans.__('Volume (GB)')}
        error={shown['volume_size_gb']}
        help={
          options
            ? trans.__('%1 to %2 GB', options.volume_size_gb.min, options.volume_size_gb.max)
            : undefined
        }
      >
        <input
          id="nbjobs-volume_size_gb"
          type="number"
          className="jp-mod-styled"
          min={options?.volume_size_gb.min}
          max={options?.volume_size_gb.max}
          value={v.volume}
          disabled={!canUpdate}
          onChange={e => set({ volume: e.target.value })}
        />
      </Field>
      <Field
        id="lifecycle_config"
        label={trans.__('Lifecycle configuration')}
        error={shown['lifecycle_config']}
      >
        <select
          id="nbjobs-lifecycle_config"
          className="jp-mod-styled"
          value={v.lifecycleConfig}
          disabled={!canUpdate}
          onChange={e => set({ lifecycleConfig: e.target.value })}
        >
          <option value="">{trans.__('(none)')}</option>
          {(options?.lifecycle_configs ?? []).map(c => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
          {v.lifecycleConfig && !options?.lifecycle_configs.includes(v.lifecycleConfig) && (
            <option value={v.lifecycleConfig}>{v.lifecycleConfig}</option>
          )}
        </select>
      </Field>
      <Field
        id="emr_cluster_id"
        label={trans.__('EMR cluster')}
        error={shown['emr_cluster_id']}
        help={
          options && !clusters.length
            ? (options.emr_note ??
              trans.__('No EMR cluster of this project is waiting for work (state WAITING).'))
            : undefined
        }
      >
        <select
          id="nbjobs-emr_cluster_id"
          className="jp-mod-styled"
          value={v.emrClusterId}
          disabled={!canUpdate || (!clusters.length && !v.emrClusterId)}
          onChange={e => set({ emrClusterId: e.target.value })}
        >
          <option value="">{trans.__('(none)')}</option>
          {clusters.map(c => (
            <option key={c.id} value={c.id}>
              {trans.__('%1 (%2, %3)', c.name, c.id, c.state)}
            </option>
          ))}
          {v.emrClusterId && !clusters.some(c => c.id === v.emrClusterId) && (
            <option value={v.emrClusterId}>{v.emrClusterId}</option>
          )}
        </select>
      </Field>
      <Field id="stop_time" label={trans.__('Daily stop time')} error={shown['stop_time']}>
        {canSetStop ? (
          <div className="jp-NbJobs-stopTime">
            <label className="jp-NbJobs-check">
              <input
                type="checkbox"
                id="nbjobs-override-stop"
                checked={v.overrideStopTime}
                onChange={e =>
                  set({
                    overrideStopTime: e.target.checked,
                    stopTime: v.stopTime || projectStop || '19:00'
                  })
                }
              />
              {trans.__('Use my own daily stop time')}
            </label>
            <input
              id="nbjobs-stop_time"
              type="time"
              className="jp-mod-styled"
              value={v.overrideStopTime ? v.stopTime : (projectStop ?? '')}
              disabled={!v.overrideStopTime}
              aria-label={trans.__('Stop time (%1)', zone)}
              onChange={e => set({ stopTime: e.target.value })}
            />
            <span className="jp-NbJobs-help">
              {v.overrideStopTime
                ? trans.__('Stops every day at this time (%1).', zone)
                : projectStop
                  ? trans.__("The project's stop time: %1 (%2).", projectStop, zone)
                  : trans.__('The project stops no instance at a fixed time.')}
            </span>
          </div>
        ) : (
          <div className="jp-NbJobs-readonly" id="nbjobs-stop_time" data-readonly="true">
            {(editing?.stop_time ?? projectStop)
              ? trans.__('%1 (%2)', editing?.stop_time ?? projectStop ?? '', zone)
              : trans.__('none')}
            <div className="jp-NbJobs-help">
              {options
                ? trans.__("Set by the project: it does not let owners choose their own stop time.")
                : ''}
            </div>
          </div>
        )}
      </Field>
      <div className="jp-NbJobs-formButtons">
        <button type="button" className="jp-mod-styled jp-mod-reject" onClick={props.onCancel}>
          {trans.__('Cancel')}
        </button>
        <button
          type="submit"
          className="jp-mod-styled jp-mod-accept"
          disabled={busy || !options || (editing !== null && !Object.keys(built.body).length)}
        >
          {editing ? trans.__('Save') : trans.__('Create instance')}
        </button>
      </div>
    </form>
  );
}
