import * as React from 'react';

import { zonedTime } from './format';

/** A schedule's time in its own zone, named; the browser's time beside it when it differs. */
export function ZonedTime(props: { iso: string; zone: string }): JSX.Element {
  const { primary, secondary } = zonedTime(props.iso, props.zone);
  return (
    <span className="jp-NbJobs-zoned" data-iso={props.iso}>
      <span className="jp-NbJobs-zonedPrimary">{primary}</span>
      {secondary && <span className="jp-NbJobs-muted jp-NbJobs-zonedLocal">{secondary}</span>}
    </span>
  );
}
