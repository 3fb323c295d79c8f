import * as React from 'react';

import { NbJobsClient } from '../api/client';
import { stripAnsi } from './format';

/** The job's log, read by offset and followed while the job runs. */
export function LogView(props: {
  client: NbJobsClient;
  jobId: string;
  /** Changes when the job's status changes, to read again at once. */
  status: string;
  interval: number;
  label: string;
}): JSX.Element {
  const [text, setText] = React.useState('');
  const [complete, setComplete] = React.useState(false);
  const offset = React.useRef(0);
  const pre = React.useRef<HTMLPreElement>(null);
  const follow = React.useRef(true);

  React.useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const read = async () => {
      try {
        const chunk = await props.client.getLog(props.jobId, { offset: offset.current });
        if (cancelled) {
          return;
        }
        if (chunk.text) {
          setText(t => t + stripAnsi(chunk.text));
        }
        offset.current = chunk.offset;
        setComplete(chunk.complete);
        if (!chunk.complete) {
          timer = setTimeout(read, props.interval);
        }
      } catch {
        if (!cancelled) {
          timer = setTimeout(read, props.interval * 2);
        }
      }
    };
    void read();
    return () => {
      cancelled = true;
      if (timer) {
        clearTimeout(timer);
      }
    };
  }, [props.jobId, props.status]);

  // Keep the view at the bottom while the user has not scrolled up.
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
      data-complete={complete ? 'true' : 'false'}
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
