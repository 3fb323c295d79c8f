import * as React from 'react';

import { JobLogModel } from '../model/jobLog';
import { useSignal } from './useSignal';

/** The job's log as its model reads it; stays at the bottom unless the user scrolled up. */
export function LogView(props: { model: JobLogModel; label: string }): JSX.Element {
  const { model } = props;
  useSignal(model.changed);
  const pre = React.useRef<HTMLPreElement>(null);
  const follow = React.useRef(true);
  const text = model.text;

  React.useEffect(() => {
    const node = pre.current;
    if (node && follow.current) {
      node.scrollTop = node.scrollHeight;
    }
  }, [text]);

  return (
    <pre
      ref={pre}
      className="jp-NbJobs-log"
      aria-label={props.label}
      data-complete={model.complete ? 'true' : 'false'}
      tabIndex={0}
      onScroll={e => {
        const n = e.currentTarget;
        follow.current = n.scrollTop + n.clientHeight >= n.scrollHeight - 8;
      }}
    >
      {text}
    </pre>
  );
}
