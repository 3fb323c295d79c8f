import { TranslationBundle } from '@jupyterlab/translation';

import { JobStatus } from '../api/types';

/** A local date and time, short. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) {
    return '';
  }
  const d = new Date(iso);
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit'
  });
}

/** Seconds between two times (now when the end is missing) as 1h 2m 3s. */
export function formatDuration(
  start: string | null | undefined,
  end: string | null | undefined
): string {
  if (!start) {
    return '';
  }
  const ms = (end ? Date.parse(end) : Date.now()) - Date.parse(start);
  let s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return h ? `${h}h ${m}m ${s}s` : m ? `${m}m ${s}s` : `${s}s`;
}

export function formatBytes(n: number): string {
  if (n < 1024) {
    return `${n} B`;
  }
  if (n < 1024 * 1024) {
    return `${(n / 1024).toFixed(1)} KB`;
  }
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function statusLabel(status: JobStatus, trans: TranslationBundle): string {
  switch (status) {
    case 'queued':
      return trans.__('Queued');
    case 'running':
      return trans.__('Running');
    case 'completed':
      return trans.__('Completed');
    case 'failed':
      return trans.__('Failed');
    case 'stopping':
      return trans.__('Stopping');
    case 'stopped':
      return trans.__('Stopped');
    default:
      return status;
  }
}

export { stripAnsi } from '../model/jobLog';
