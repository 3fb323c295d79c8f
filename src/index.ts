import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { sidebarPlugin } from './plugins/sidebar';

const plugins: JupyterFrontEndPlugin<any>[] = [sidebarPlugin];

export default plugins;
