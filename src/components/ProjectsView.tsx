import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { guard } from '../actions/notify';
import { ApiError } from '../api/client';
import { IProject, IProjectCreate } from '../api/instanceTypes';
import { fieldOfServerError } from '../model/instanceForm';
import {
  buildProject,
  IProjectFormValues,
  ProjectListModel,
  projectValues,
  timeZones
} from '../model/projects';
import { Errors, Field } from './fields';
import { roleLabel } from './instanceFormat';
import { useSignal } from './useSignal';

/**
 * Projects, for admins (every project; create, owners) and project owners (members, stop
 * time, time zone, override flag, suspend). Each control is there only when the project's
 * `actions` allow it.
 */
export function ProjectsView(props: {
  model: ProjectListModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { model, trans } = props;
  useSignal(model.changed);
  const [creating, setCreating] = React.useState(false);
  const [open, setOpen] = React.useState<string | null>(null);
  const { me, projects, error } = model;

  return (
    <div className="jp-NbJobs-detail jp-NbJobs-projects">
      <div className="jp-NbJobs-detailHeader">
        <h2>{trans.__('Projects')}</h2>
        {me?.admin && !creating && (
          <button
            type="button"
            className="jp-NbJobs-textButton jp-mod-accept"
            data-action="new-project"
            onClick={() => setCreating(true)}
          >
            {trans.__('New project')}
          </button>
        )}
      </div>
      <datalist id="nbjobs-timezones">
        {timeZones().map(z => (
          <option key={z} value={z} />
        ))}
      </datalist>
      {error && (
        <div className="jp-NbJobs-error" role="alert">
          {error}
        </div>
      )}
      {creating && (
        <section className="jp-NbJobs-section" aria-label={trans.__('New project')}>
          <h3>{trans.__('New project')}</h3>
          <ProjectEditor
            trans={trans}
            onCancel={() => setCreating(false)}
            onSave={async values => {
              const built = buildProject(values, trans);
              if (Object.keys(built.errors).length) {
                return built.errors;
              }
              await model.create(built.body as IProjectCreate);
              setCreating(false);
              setOpen(values.name);
              return {};
            }}
          />
        </section>
      )}
      <ul className="jp-NbJobs-projectList">
        {(projects ?? []).map(p => (
          <li key={p.name} data-project={p.name} data-suspended={p.suspended ? 'true' : 'false'}>
            <div className="jp-NbJobs-rowMain">
              <button
                type="button"
                className="jp-NbJobs-rowName"
                aria-expanded={open === p.name}
                onClick={() => setOpen(open === p.name ? null : p.name)}
              >
                {p.name}
              </button>
              {p.role && <span className="jp-NbJobs-muted">{roleLabel(p.role, trans)}</span>}
              {p.suspended && (
                <span className="jp-NbJobs-badge jp-NbJobs-instanceBadge-Failed">
                  {trans.__('Suspended')}
                </span>
              )}
            </div>
            <div className="jp-NbJobs-rowMeta">
              <span>{p.description}</span>
              <span>
                {p.stop_time
                  ? trans.__('stops daily at %1 (%2)', p.stop_time, p.timezone)
                  : trans.__('no daily stop')}
              </span>
              <span>
                {p.allow_owner_override
                  ? trans.__('owners may set their own stop time')
                  : trans.__('one stop time for all')}
              </span>
            </div>
            {open === p.name && <ProjectPanel project={p} model={model} trans={trans} />}
          </li>
        ))}
      </ul>
      {projects && !projects.length && (
        <div className="jp-NbJobs-empty">{trans.__('No projects yet.')}</div>
      )}
    </div>
  );
}

function ProjectPanel(props: {
  project: IProject;
  model: ProjectListModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { project: p, model, trans } = props;
  const may = new Set(p.actions);
  const editable = may.has('update') || may.has('manage_members') || may.has('manage_owners');

  const suspend = async () => {
    await guard(() => model.update(p.name, { suspended: !p.suspended }));
  };
  const remove = async () => {
    const answer = await showDialog({
      title: trans.__('Delete project'),
      body: trans.__(
        'Delete the project "%1"? Only a suspended project whose instances are all stopped or failed can be deleted.',
        p.name
      ),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.warnButton({ label: trans.__('Delete') })
      ]
    });
    if (answer.button.accept) {
      await guard(() => model.remove(p.name));
    }
  };

  return (
    <div className="jp-NbJobs-projectPanel">
      <div className="jp-NbJobs-detailActions">
        {may.has('suspend') && (
          <button
            type="button"
            className={`jp-NbJobs-textButton${p.suspended ? '' : ' jp-mod-warn'}`}
            data-action={p.suspended ? 'resume' : 'suspend'}
            onClick={() => void suspend()}
          >
            {p.suspended ? trans.__('Resume') : trans.__('Suspend')}
          </button>
        )}
        {may.has('delete') && (
          <button
            type="button"
            className="jp-NbJobs-textButton jp-mod-warn"
            data-action="delete"
            onClick={() => void remove()}
          >
            {trans.__('Delete')}
          </button>
        )}
      </div>
      {editable ? (
        <ProjectEditor
          project={p}
          trans={trans}
          onSave={async values => {
            const built = buildProject(values, trans, p);
            if (Object.keys(built.errors).length) {
              return built.errors;
            }
            if (Object.keys(built.body).length) {
              await model.update(p.name, built.body);
            }
            return {};
          }}
        />
      ) : (
        <table className="jp-NbJobs-table">
          <tbody>
            <tr>
              <th scope="row">{trans.__('Owners')}</th>
              <td>{p.owners.join(', ')}</td>
            </tr>
            <tr>
              <th scope="row">{trans.__('Members')}</th>
              <td>{p.members.join(', ')}</td>
            </tr>
          </tbody>
        </table>
      )}
    </div>
  );
}

/** The project form; `onSave` resolves to the errors to show (none: saved). */
function ProjectEditor(props: {
  project?: IProject;
  trans: TranslationBundle;
  onSave: (values: IProjectFormValues) => Promise<Errors>;
  onCancel?: () => void;
}): JSX.Element {
  const { project, trans } = props;
  const [v, setV] = React.useState<IProjectFormValues>(() => projectValues(project));
  const [errors, setErrors] = React.useState<Errors>({});
  const [busy, setBusy] = React.useState(false);
  const [saved, setSaved] = React.useState(false);
  const set = (patch: Partial<IProjectFormValues>) => {
    setSaved(false);
    setV(old => ({ ...old, ...patch }));
  };
  const may = new Set(project?.actions ?? ['update', 'manage_members', 'manage_owners']);
  const id = (field: string) => `project-${project?.name ?? 'new'}-${field}`;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const found = await props.onSave(v);
      setErrors(found);
      setSaved(!Object.keys(found).length);
    } catch (error) {
      const err = error as ApiError;
      setErrors({ [fieldOfServerError(err.field)]: err.message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="jp-NbJobs-projectForm" onSubmit={submit} noValidate>
      {errors['form'] && (
        <div className="jp-NbJobs-error" role="alert">
          {errors['form']}
        </div>
      )}
      {!project && (
        <Field id={id('name')} label={trans.__('Name')} error={errors['name']}>
          <input
            id={`nbjobs-${id('name')}`}
            className="jp-mod-styled"
            value={v.name}
            onChange={e => set({ name: e.target.value })}
          />
        </Field>
      )}
      <Field id={id('description')} label={trans.__('Description')} error={errors['description']}>
        <input
          id={`nbjobs-${id('description')}`}
          className="jp-mod-styled"
          value={v.description}
          disabled={!may.has('update')}
          onChange={e => set({ description: e.target.value })}
        />
      </Field>
      <Field
        id={id('owners')}
        label={trans.__('Owners')}
        error={errors['owners']}
        help={trans.__('User names, separated by commas.')}
      >
        <input
          id={`nbjobs-${id('owners')}`}
          className="jp-mod-styled"
          value={v.owners}
          disabled={!may.has('manage_owners')}
          onChange={e => set({ owners: e.target.value })}
        />
      </Field>
      <Field id={id('members')} label={trans.__('Members')} error={errors['members']}>
        <input
          id={`nbjobs-${id('members')}`}
          className="jp-mod-styled"
          value={v.members}
          disabled={!may.has('manage_members')}
          onChange={e => set({ members: e.target.value })}
        />
      </Field>
      <Field
        id={id('stop_time')}
        label={trans.__('Daily stop time')}
        error={errors['stop_time']}
        help={trans.__('Every instance of the project stops at this time each day (empty: none).')}
      >
        <input
          id={`nbjobs-${id('stop_time')}`}
          type="time"
          className="jp-mod-styled"
          value={v.stopTime}
          disabled={!may.has('update')}
          onChange={e => set({ stopTime: e.target.value })}
        />
      </Field>
      <Field id={id('timezone')} label={trans.__('Time zone')} error={errors['timezone']}>
        <input
          id={`nbjobs-${id('timezone')}`}
          className="jp-mod-styled"
          list="nbjobs-timezones"
          value={v.timezone}
          disabled={!may.has('update')}
          onChange={e => set({ timezone: e.target.value })}
        />
      </Field>
      <Field
        id={id('allow_owner_override')}
        label={trans.__('Own stop times')}
        error={errors['allow_owner_override']}
      >
        <label className="jp-NbJobs-check">
          <input
            id={`nbjobs-${id('allow_owner_override')}`}
            type="checkbox"
            checked={v.allowOverride}
            disabled={!may.has('update')}
            onChange={e => set({ allowOverride: e.target.checked })}
          />
          {trans.__('Instance owners may set their own daily stop time')}
        </label>
      </Field>
      <div className="jp-NbJobs-formButtons">
        {props.onCancel && (
          <button type="button" className="jp-mod-styled jp-mod-reject" onClick={props.onCancel}>
            {trans.__('Cancel')}
          </button>
        )}
        <button type="submit" className="jp-mod-styled jp-mod-accept" disabled={busy}>
          {project ? trans.__('Save') : trans.__('Create project')}
        </button>
        {saved && project && (
          <span className="jp-NbJobs-help" role="status">
            {trans.__('Saved.')}
          </span>
        )}
      </div>
    </form>
  );
}
