import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { comparisonPlugin } from './plugins/comparison';
import { corePlugin } from './plugins/core';
import { createJobPlugin } from './plugins/createJob';
import { fileBrowserPlugin } from './plugins/fileBrowser';
import { instancesPlugin } from './plugins/instances';
import { instancesTabPlugin } from './plugins/instancesTab';
import { instanceViewsPlugin } from './plugins/instanceViews';
import { jobDetailPlugin } from './plugins/jobDetail';
import { jobsTabPlugin } from './plugins/jobsTab';
import { launcherPlugin } from './plugins/launcher';
import { notebookPlugin } from './plugins/notebook';
import { notificationsPlugin } from './plugins/notifications';
import { scheduleDetailPlugin } from './plugins/scheduleDetail';
import { schedulesTabPlugin } from './plugins/schedulesTab';
import { sidebarPlugin } from './plugins/sidebar';

const plugins: JupyterFrontEndPlugin<any>[] = [
  corePlugin,
  sidebarPlugin,
  jobsTabPlugin,
  // Notebook instances and projects.
  instancesPlugin,
  instancesTabPlugin,
  instanceViewsPlugin,
  schedulesTabPlugin,
  createJobPlugin,
  fileBrowserPlugin,
  notebookPlugin,
  jobDetailPlugin,
  scheduleDetailPlugin,
  notificationsPlugin,
  comparisonPlugin,
  launcherPlugin
];

export default plugins;
