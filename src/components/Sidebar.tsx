import * as React from 'react';

import { ISidebarTab } from '../tokens';

/**
 * The sidebar: a header, one button per registered tab, and the current tab's panel.
 * Only the current tab is rendered, `shown` while the sidebar is visible.
 */
export function Sidebar(props: {
  title: string;
  tabs: readonly ISidebarTab[];
  current: ISidebarTab | null;
  shown: boolean;
  onTab: (id: string) => void;
}): JSX.Element {
  const { current } = props;
  return (
    <div className="jp-NbJobs-sidebar">
      <div className="jp-NbJobs-header">{props.title}</div>
      <div className="jp-NbJobs-tabs" role="tablist">
        {props.tabs.map(tab => (
          <button
            key={tab.id}
            type="button"
            role="tab"
            id={`jp-nbjobs-tab-${tab.id}`}
            aria-selected={tab === current}
            className={`jp-NbJobs-tab${tab === current ? ' jp-mod-current' : ''}`}
            onClick={() => props.onTab(tab.id)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      {current && (
        <div
          role="tabpanel"
          className="jp-NbJobs-tabPanel"
          aria-labelledby={`jp-nbjobs-tab-${current.id}`}
        >
          <React.Fragment key={current.id}>{current.render(props.shown)}</React.Fragment>
        </div>
      )}
    </div>
  );
}
