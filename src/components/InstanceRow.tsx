import { TranslationBundle } from '@jupyterlab/translation';
import {
  deleteIcon,
  editIcon,
  LabIcon,
  launchIcon,
  listIcon,
  runIcon,
  stopIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { InstanceActions } from '../actions/instances';
import { IInstance, InstanceAction, InstanceStatus } from '../api/instanceTypes';
import { actionLabel, formatInZone, instanceStatusLabel } from './instanceFormat';

export function InstanceStatusBadge(props: {
  status: InstanceStatus;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <span
      className={`jp-NbJobs-badge jp-NbJobs-instanceBadge-${props.status}`}
      data-status={props.status}
    >
      {instanceStatusLabel(props.status, props.trans)}
    </span>
  );
}

/** States in which an auto-stop is ahead (a stopped instance has none to show). */
export const AUTO_STOP_AHEAD: ReadonlySet<InstanceStatus> = new Set<InstanceStatus>(['Pending', 'InService', 'Updating']);

/** The buttons of what the server allows on this instance, in a fixed order. */
const ROW_ACTIONS: { action: InstanceAction; icon: LabIcon }[] = [
  { action: 'start', icon: runIcon },
  { action: 'stop', icon: stopIcon },
  { action: 'open', icon: launchIcon },
  { action: 'update', icon: editIcon },
  { action: 'logs', icon: listIcon },
  { action: 'delete', icon: deleteIcon }
];

/** The action buttons allowed: Edit for `update`, or for `set_stop_time` alone. */
export function allowedActions(instance: IInstance): InstanceAction[] {
  const allowed = new Set(instance.actions);
  if (allowed.has('set_stop_time')) {
    allowed.add('update');
  }
  return ROW_ACTIONS.map(a => a.action).filter(a => allowed.has(a));
}

export function runAction(actions: InstanceActions, action: InstanceAction, i: IInstance): void {
  switch (action) {
    case 'start':
      void actions.start(i);
      break;
    case 'stop':
      void actions.stop(i);
      break;
    case 'open':
      void actions.open(i);
      break;
    case 'update':
    case 'set_stop_time':
      actions.edit(i);
      break;
    case 'logs':
      actions.logs(i);
      break;
    case 'delete':
      void actions.remove(i);
      break;
  }
}

/** One instance of the Instances tab: name, status, type, owner, next auto-stop, actions. */
export function InstanceRow(props: {
  instance: IInstance;
  actions: InstanceActions;
  showProject: boolean;
}): JSX.Element {
  const { instance: i, actions } = props;
  const { trans } = actions;
  const allowed = allowedActions(i);
  return (
    <li className="jp-NbJobs-row" data-instance={i.name} data-status={i.status}>
      <div className="jp-NbJobs-rowMain">
        <button
          type="button"
          className="jp-NbJobs-rowName"
          title={trans.__('Details of %1', i.name)}
          onClick={() => actions.details(i)}
        >
          {i.name}
        </button>
        <InstanceStatusBadge status={i.status} trans={trans} />
      </div>
      <div className="jp-NbJobs-rowMeta">
        <span className="jp-NbJobs-instanceType">{i.instance_type}</span>
        {props.showProject && <span>{trans.__('project: %1', i.project)}</span>}
        <span className="jp-NbJobs-instanceOwner">{trans.__('owner: %1', i.owner)}</span>
        {i.next_stop_at && AUTO_STOP_AHEAD.has(i.status) && (
          <span className="jp-NbJobs-nextStop">
            {trans.__('auto-stop: %1', formatInZone(i.next_stop_at, i.timezone))}
          </span>
        )}
      </div>
      {allowed.length > 0 && (
        <div className="jp-NbJobs-rowActions">
          {ROW_ACTIONS.filter(a => allowed.includes(a.action)).map(({ action, icon }) => {
            const label = actionLabel(action, trans);
            return (
              <button
                key={action}
                type="button"
                className="jp-NbJobs-iconButton"
                title={label}
                aria-label={`${label}: ${i.name}`}
                data-action={action}
                onClick={() => runAction(actions, action, i)}
              >
                <icon.react tag="span" elementSize="normal" />
              </button>
            );
          })}
        </div>
      )}
    </li>
  );
}
