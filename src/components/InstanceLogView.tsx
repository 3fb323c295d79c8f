import * as React from 'react';

import { InstanceLogModel } from '../model/instanceLog';
import { formatTime } from './format';
import { useSignal } from './useSignal';

/**
 * An instance's log events, newest last, with "Load older" above them. It stays at the
 * bottom as new events come (while followed) unless the user scrolled up.
 */
export function InstanceLogView(props: {
  model: InstanceLogModel;
  label: string;
  texts: { older: string; empty: string; following: string; loading: string };
}): JSX.Element {
  const { model, texts } = props;
  useSignal(model.changed);
  const box = React.useRef<HTMLDivElement>(null);
  const stick = React.useRef(true);
  const events = model.events;
  const last = events[events.length - 1];

  React.useEffect(() => {
    const node = box.current;
    if (node && stick.current) {
      node.scrollTop = node.scrollHeight;
    }
  }, [last]);

  return (
    <div className="jp-NbJobs-instanceLog">
      {model.hasOlder && (
        <button
          type="button"
          className="jp-NbJobs-textButton jp-NbJobs-loadOlder"
          onClick={() => {
            stick.current = false;
            void model.loadOlder();
          }}
        >
          {texts.older}
        </button>
      )}
      <div
        ref={box}
        className="jp-NbJobs-log"
        role="log"
        aria-label={props.label}
        aria-live={model.follow ? 'polite' : 'off'}
        tabIndex={0}
        data-following={model.follow ? 'true' : 'false'}
        onScroll={e => {
          const n = e.currentTarget;
          stick.current = n.scrollTop + n.clientHeight >= n.scrollHeight - 8;
        }}
      >
        {events.map((e, n) => (
          <div key={n} className="jp-NbJobs-logEvent" data-stream={e.stream}>
            <span className="jp-NbJobs-logTime" title={`${e.timestamp} ${e.stream}`}>
              {formatTime(e.timestamp)}
            </span>{' '}
            <span className="jp-NbJobs-logMessage">{e.message}</span>
          </div>
        ))}
        {model.loaded && !events.length && (
          <div className="jp-NbJobs-muted">{texts.empty}</div>
        )}
        {!model.loaded && <div className="jp-NbJobs-muted">{texts.loading}</div>}
      </div>
      {model.follow && <div className="jp-NbJobs-help">{texts.following}</div>}
    </div>
  );
}
