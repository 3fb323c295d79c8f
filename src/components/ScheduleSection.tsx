import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { CatchupPolicy, OverlapPolicy } from '../api/types';
import { CronPreviewModel } from '../model/createJob';
import { Errors, Field, TextField } from './fields';
import { browserZone } from './format';
import { useSignal } from './useSignal';
import { catchupLabel, describeCron, overlapLabel, presetLabel } from './vocabulary';
import { ZonedTime } from './ZonedTime';

export { describeCron };

export interface IScheduleState {
  preset: string;
  cron: string;
  timezone: string;
  overlap: OverlapPolicy;
  catchup: CatchupPolicy;
}

export const PRESETS: { [key: string]: string } = {
  hourly: '0 * * * *',
  daily: '0 9 * * *',
  weekdays: '0 9 * * 1-5',
  weekly: '0 9 * * 1',
  monthly: '0 9 1 * *'
};

export function defaultSchedule(): IScheduleState {
  return {
    preset: 'daily',
    cron: PRESETS.daily,
    timezone: browserZone(),
    overlap: 'skip',
    catchup: 'once'
  };
}

export function timezones(): string[] {
  const intl = Intl as any;
  const zones: string[] =
    typeof intl.supportedValuesOf === 'function' ? intl.supportedValuesOf('timeZone') : [];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

export function ScheduleSection(props: {
  value: IScheduleState;
  /** The server's next fire times for the cron typed here. */
  preview: CronPreviewModel;
  errors: Errors;
  trans: TranslationBundle;
  onChange: (value: IScheduleState) => void;
  /** Before each input's id, so that two forms open at once keep their ids apart. */
  idPrefix?: string;
  /** More rows of the section (the schedule editor's limits). */
  children?: React.ReactNode;
}): JSX.Element {
  const { value, trans, errors, preview } = props;
  const prefix = props.idPrefix ?? '';
  useSignal(preview.changed);
  const next = preview.nextFireTimes;
  const serverError = preview.error;
  const allZones = React.useMemo(timezones, []);
  // A zone this runtime does not list (a schedule made elsewhere) stays choosable.
  const zones = allZones.includes(value.timezone) ? allZones : [value.timezone, ...allZones];
  const words = describeCron(value.cron);

  // The server's next fire times, so the user sees real dates (the model debounces).
  React.useEffect(() => {
    preview.check(value.cron, value.timezone);
  }, [value.cron, value.timezone]);

  const set = (patch: Partial<IScheduleState>) => props.onChange({ ...value, ...patch });
  return (
    <fieldset className="jp-NbJobs-fieldset" aria-label={trans.__('Schedule')}>
      <legend>{trans.__('Schedule')}</legend>
      <Field id={`${prefix}preset`} label={trans.__('Repeat')}>
        <select
          id={`nbjobs-${prefix}preset`}
          className="jp-mod-styled"
          value={value.preset}
          onChange={e => {
            const preset = e.target.value;
            set({ preset, cron: PRESETS[preset] ?? value.cron });
          }}
        >
          {Object.keys(PRESETS).map(k => (
            <option key={k} value={k}>
              {presetLabel(k, trans)}
            </option>
          ))}
          <option value="custom">{trans.__('Custom (cron)')}</option>
        </select>
      </Field>
      <TextField
        id={`${prefix}cron`}
        label={trans.__('Cron expression')}
        error={errors['cron'] ?? (serverError && !words ? serverError : undefined)}
        help={words ?? undefined}
        code
        value={value.cron}
        onChange={cron => set({ cron, preset: 'custom' })}
      />
      <Field id={`${prefix}timezone`} label={trans.__('Time zone')} error={errors['timezone']}>
        <select
          id={`nbjobs-${prefix}timezone`}
          className="jp-mod-styled"
          value={value.timezone}
          onChange={e => set({ timezone: e.target.value })}
        >
          {zones.map(z => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </Field>
      {next && next.length > 0 && (
        <div className="jp-NbJobs-field" data-field="next-runs">
          <label>{trans.__('Next runs')}</label>
          <ul className="jp-NbJobs-nextRuns">
            {next.map(t => (
              <li key={t}>
                <ZonedTime iso={t} zone={value.timezone} />
              </li>
            ))}
          </ul>
        </div>
      )}
      <PolicyFields
        idPrefix={prefix}
        overlap={value.overlap}
        catchup={value.catchup}
        onChange={set}
        trans={trans}
      />
      {props.children}
    </fieldset>
  );
}

/**
 * The overlap and catch-up policy selects, shared by the create form and the schedule editor.
 */
export function PolicyFields(props: {
  idPrefix: string;
  overlap: OverlapPolicy;
  catchup: CatchupPolicy;
  onChange: (change: { overlap?: OverlapPolicy; catchup?: CatchupPolicy }) => void;
  trans: TranslationBundle;
}): JSX.Element {
  const { idPrefix, trans, onChange } = props;
  return (
    <>
      <Field id={`${idPrefix}overlap`} label={trans.__('While the previous run is active')}>
        <select
          id={`nbjobs-${idPrefix}overlap`}
          className="jp-mod-styled"
          value={props.overlap}
          onChange={e => onChange({ overlap: e.target.value as OverlapPolicy })}
        >
          {(['skip', 'allow'] as OverlapPolicy[]).map(p => (
            <option key={p} value={p}>
              {overlapLabel(p, trans)}
            </option>
          ))}
        </select>
      </Field>
      <Field id={`${idPrefix}catchup`} label={trans.__('Runs missed while the server was off')}>
        <select
          id={`nbjobs-${idPrefix}catchup`}
          className="jp-mod-styled"
          value={props.catchup}
          onChange={e => onChange({ catchup: e.target.value as CatchupPolicy })}
        >
          {(['once', 'each', 'skip'] as CatchupPolicy[]).map(p => (
            <option key={p} value={p}>
              {catchupLabel(p, trans)}
            </option>
          ))}
        </select>
      </Field>
    </>
  );
}
