import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { corePlugin } from './plugins/core';
import { createJobPlugin } from './plugins/createJob';
import { fileBrowserPlugin } from './plugins/fileBrowser';
import { jobDetailPlugin } from './plugins/jobDetail';
import { notebookPlugin } from './plugins/notebook';
import { notificationsPlugin } from './plugins/notifications';
import { scheduleDetailPlugin } from './plugins/scheduleDetail';
import { sidebarPlugin } from './plugins/sidebar';

const plugins: JupyterFrontEndPlugin<any>[] = [
  corePlugin,
  sidebarPlugin,
  createJobPlugin,
  fileBrowserPlugin,
  notebookPlugin,
  jobDetailPlugin,
  scheduleDetailPlugin,
  notificationsPlugin
];

export default plugins;
