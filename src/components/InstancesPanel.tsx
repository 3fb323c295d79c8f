import { addIcon, refreshIcon, usersIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { InstanceActions } from '../actions/instances';
import { InstanceListModel, InstanceView } from '../model/instances';
import { roleLabel } from './instanceFormat';
import { InstanceRow } from './InstanceRow';
import { useActive, useSignal } from './useSignal';

/**
 * The Instances tab: "My instances" or one project's instances (a picker showing the
 * caller's role), with the actions the server allows on each.
 */
export function InstancesPanel(props: {
  model: InstanceListModel;
  actions: InstanceActions;
  /** Whether the tab is shown (the list polls only then). */
  shown: boolean;
  onCreate: (project: string | null) => void;
  onProjects: () => void;
}): JSX.Element {
  const { model, actions } = props;
  const { trans } = actions;
  useSignal(model.changed);
  useActive(model, props.shown);
  const { me, instances, error, view } = model;
  const projects = me?.projects ?? [];
  const managesProjects = !!me && (me.admin || projects.some(p => p.role === 'owner'));
  const info = model.projectInfo;

  const views: { id: InstanceView; label: string }[] = [
    { id: 'mine', label: trans.__('My instances') },
    { id: 'project', label: trans.__('Project instances') }
  ];

  const iconButton = (
    label: string,
    icon: typeof addIcon,
    run: () => void,
    name: string
  ) => (
    <button
      type="button"
      className="jp-NbJobs-iconButton"
      title={label}
      aria-label={label}
      data-action={name}
      onClick={run}
    >
      <icon.react tag="span" elementSize="normal" />
    </button>
  );

  return (
    <div className="jp-NbJobs-instances" data-view={view}>
      <div className="jp-NbJobs-filters">
        <div className="jp-NbJobs-segmented" role="radiogroup" aria-label={trans.__('Show')}>
          {views.map(v => (
            <label key={v.id} className={view === v.id ? 'jp-mod-current' : ''}>
              <input
                type="radio"
                name="nbjobs-instance-view"
                value={v.id}
                checked={view === v.id}
                onChange={() => model.setView(v.id)}
              />
              {v.label}
            </label>
          ))}
        </div>
        {iconButton(trans.__('New notebook instance'), addIcon, () =>
          props.onCreate(view === 'project' ? model.project : null), 'create')}
        {managesProjects &&
          iconButton(trans.__('Projects'), usersIcon, props.onProjects, 'projects')}
        {iconButton(trans.__('Refresh'), refreshIcon, () => void model.refresh(), 'refresh')}
      </div>
      {view === 'project' && (
        <div className="jp-NbJobs-filters">
          <label htmlFor="nbjobs-instance-project" className="jp-NbJobs-muted">
            {trans.__('Project')}
          </label>
          <select
            id="nbjobs-instance-project"
            className="jp-mod-styled jp-NbJobs-projectPicker"
            value={model.project ?? ''}
            disabled={!projects.length}
            onChange={e => model.setProject(e.target.value)}
          >
            {projects.map(p => (
              <option key={p.name} value={p.name}>
                {p.suspended
                  ? trans.__('%1 (%2, suspended)', p.name, roleLabel(p.role, trans))
                  : trans.__('%1 (%2)', p.name, roleLabel(p.role, trans))}
              </option>
            ))}
          </select>
        </div>
      )}
      {view === 'project' && info?.suspended && (
        <div className="jp-NbJobs-notice" role="status">
          {info.role === 'member'
            ? trans.__('This project is suspended: its members cannot see, start or change its instances.')
            : trans.__('This project is suspended: members cannot start or change instances.')}
        </div>
      )}
      {error && (
        <div className="jp-NbJobs-error" role="alert">
          {error}
        </div>
      )}
      <ul className="jp-NbJobs-list" aria-label={trans.__('Notebook instances')}>
        {(instances ?? []).map(i => (
          <InstanceRow
            key={i.name}
            instance={i}
            actions={actions}
            showProject={view === 'mine'}
          />
        ))}
      </ul>
      {instances && !instances.length && !(view === 'project' && info?.suspended) && (
        <div className="jp-NbJobs-empty">
          {view === 'mine'
            ? trans.__('You have no notebook instances.')
            : projects.length
              ? trans.__('No notebook instances in this project.')
              : trans.__('You are in no project yet. An admin can add you to one.')}
        </div>
      )}
    </div>
  );
}
