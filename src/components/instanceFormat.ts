import { TranslationBundle } from '@jupyterlab/translation';

import { InstanceAction, InstanceStatus, ProjectRole } from '../api/instanceTypes';

/**
 * A time in a named time zone, with the zone named: "Dec 1, 19:00 (Europe/Paris)". An
 * unknown zone falls back to UTC (named so).
 */
export function formatInZone(iso: string | null | undefined, zone: string): string {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  const options: Intl.DateTimeFormatOptions = {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23'
  };
  try {
    return `${date.toLocaleString(undefined, { ...options, timeZone: zone })} (${zone})`;
  } catch {
    return `${date.toLocaleString(undefined, { ...options, timeZone: 'UTC' })} (UTC)`;
  }
}

export function instanceStatusLabel(status: InstanceStatus, trans: TranslationBundle): string {
  switch (status) {
    case 'Pending':
      return trans.__('Pending');
    case 'InService':
      return trans.__('In service');
    case 'Stopping':
      return trans.__('Stopping');
    case 'Stopped':
      return trans.__('Stopped');
    case 'Failed':
      return trans.__('Failed');
    case 'Updating':
      return trans.__('Updating');
    case 'Deleting':
      return trans.__('Deleting');
    default:
      return status;
  }
}

export function roleLabel(role: ProjectRole | null, trans: TranslationBundle): string {
  switch (role) {
    case 'admin':
      return trans.__('admin');
    case 'owner':
      return trans.__('owner');
    case 'member':
      return trans.__('member');
    default:
      return '';
  }
}

export function actionLabel(action: InstanceAction, trans: TranslationBundle): string {
  switch (action) {
    case 'start':
      return trans.__('Start');
    case 'stop':
      return trans.__('Stop');
    case 'open':
      return trans.__('Open JupyterLab');
    case 'update':
    case 'set_stop_time':
      return trans.__('Edit');
    case 'delete':
      return trans.__('Delete');
    case 'logs':
      return trans.__('Logs');
    default:
      return action;
  }
}
