import { TranslationBundle } from '@jupyterlab/translation';

import { JobStatus } from '../api/types';

const TIME_OPTIONS: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit'
};

/** The browser's own time zone (an IANA name), UTC when it cannot tell. */
export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/**
 * A date and time, short: in the browser's zone, or in `zone` (an IANA name) when given.
 * An unknown zone falls back to the browser's rather than throwing into a render.
 */
export function formatTime(iso: string | null | undefined, zone?: string): string {
  if (!iso) {
    return '';
  }
  const d = new Date(iso);
  try {
    return d.toLocaleString(undefined, zone ? { ...TIME_OPTIONS, timeZone: zone } : TIME_OPTIONS);
  } catch {
    return d.toLocaleString(undefined, TIME_OPTIONS);
  }
}

/** A row's short time: "Dec 1, 13:47" (the year only when it is not this one). */
export function formatShortTime(iso: string | null | undefined): string {
  if (!iso) {
    return '';
  }
  const d = new Date(iso);
  const thisYear = d.getFullYear() === new Date().getFullYear();
  return d.toLocaleString(undefined, {
    ...(thisYear ? {} : { year: 'numeric' }),
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit'
  });
}

/**
 * A time as a schedule means it: in the schedule's zone with the zone named; when the
 * browser's zone differs, the browser's time follows as the secondary one.
 */
export function zonedTime(
  iso: string,
  zone: string
): { primary: string; secondary: string | null } {
  const primary = `${formatTime(iso, zone)} (${zone})`;
  const local = browserZone();
  if (sameOffset(iso, zone, local)) {
    return { primary, secondary: null };
  }
  return { primary, secondary: `${formatTime(iso, local)} (${local})` };
}

/** Whether two zones show the same wall time at this instant. */
function sameOffset(iso: string, a: string, b: string): boolean {
  if (a === b) {
    return true;
  }
  return formatTime(iso, a) === formatTime(iso, b);
}

/**
 * Seconds between two times (now when the end is missing): under a minute with a tenth of
 * a second ("0.4 s", "12.3 s", the log's unit), then 1h 2m 3s.
 */
export function formatDuration(
  start: string | null | undefined,
  end: string | null | undefined
): string {
  if (!start) {
    return '';
  }
  const ms = Math.max(0, (end ? Date.parse(end) : Date.now()) - Date.parse(start));
  if (ms < 60000) {
    // A running job ticks once a second: whole seconds until it ends.
    return end ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 1000)} s`;
  }
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return h ? `${h}h ${m}m ${s}s` : `${m}m ${s}s`;
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
