import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IDisposable } from '@lumino/disposable';
import * as React from 'react';

import { InstancesPanel } from '../components/InstancesPanel';
import { INbInstances, InstanceCommandIDs } from '../instanceTokens';
import { InstanceListModel } from '../model/instances';
import { ISidebarTabs } from '../tokens';

/**
 * The sidebar's Instances tab ("My instances" / "Project instances"), registered only when
 * the server manages notebook instances (GET me says `instances_enabled`).
 */
export const instancesTabPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-nbjobs:instances-tab',
  description: 'The Instances tab of the notebook jobs sidebar.',
  autoStart: true,
  requires: [INbInstances, ISidebarTabs],
  activate: (app: JupyterFrontEnd, service: INbInstances, tabs: ISidebarTabs) => {
    const { trans, actions } = service;
    const model = new InstanceListModel({
      client: service.client,
      interval: service.settings.refreshInterval * 1000
    });
    service.settingsChanged.connect((_, settings) => {
      model.interval = settings.refreshInterval * 1000;
    });
    actions.changed.connect((_, instance) => model.upsert(instance));
    let tab: IDisposable | null = null;
    const add = () => {
      if (tab) {
        return;
      }
      tab = tabs.add({
        id: 'instances',
        label: trans.__('Instances'),
        rank: 300,
        render: shown =>
          React.createElement(InstancesPanel, {
            model,
            actions,
            shown,
            onCreate: project =>
              void app.commands.execute(InstanceCommandIDs.createInstance, {
                project: project ?? ''
              }),
            onProjects: () => void app.commands.execute(InstanceCommandIDs.manageProjects)
          })
      });
    };
    void service.enabled.then(enabled => enabled && add());
  }
};
