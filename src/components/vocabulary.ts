import { TranslationBundle } from '@jupyterlab/translation';
import cronstrue from 'cronstrue';

import { CatchupPolicy, OverlapPolicy } from '../api/types';

/**
 * The one way a cron is put in words, in the form, the detail and the sidebar alike
 * (cronstrue, 24-hour times as the presets name them).
 */
export function describeCron(cron: string): string | null {
  try {
    return cronstrue.toString(cron, {
      throwExceptionOnParseError: true,
      verbose: false,
      use24HourTimeFormat: true
    });
  } catch {
    return null;
  }
}

/** What the overlap policy does, as the form's select says it. */
export function overlapLabel(policy: OverlapPolicy, trans: TranslationBundle): string {
  switch (policy) {
    case 'skip':
      return trans.__('Skip this run');
    case 'allow':
      return trans.__('Run anyway');
    default:
      return policy;
  }
}

/** What the catch-up policy does, as the form's select says it. */
export function catchupLabel(policy: CatchupPolicy, trans: TranslationBundle): string {
  switch (policy) {
    case 'once':
      return trans.__('Run once');
    case 'each':
      return trans.__('Run each');
    case 'skip':
      return trans.__('Skip them');
    default:
      return policy;
  }
}

/** "1 (no retries)", "2 of at most 4 (3 retries)". */
export function attemptsText(
  attempts: number,
  maxRetries: number,
  trans: TranslationBundle
): string {
  if (!maxRetries) {
    return trans.__('%1 (no retries)', attempts);
  }
  return trans._n(
    '%2 of at most %3 (%1 retry)',
    '%2 of at most %3 (%1 retries)',
    maxRetries,
    attempts,
    maxRetries + 1
  );
}

/** The create form's names of the cron presets. */
export function presetLabel(key: string, trans: TranslationBundle): string {
  switch (key) {
    case 'hourly':
      return trans.__('Every hour');
    case 'daily':
      return trans.__('Every day at 09:00');
    case 'weekdays':
      return trans.__('Weekdays at 09:00');
    case 'weekly':
      return trans.__('Every Monday at 09:00');
    case 'monthly':
      return trans.__('First day of the month at 09:00');
    default:
      return key;
  }
}
