// The notebook package pulls in CodeMirror views that jsdom cannot load; only its token
// is used at import time here.
jest.mock('@jupyterlab/notebook', () => ({ INotebookTracker: { name: 'INotebookTracker' } }));

import plugins from '../index';

describe('index', () => {
  it('exports the plugins with unique jupyterlab-nbjobs ids', () => {
    const ids = plugins.map(p => p.id);
    expect(ids).toContain('jupyterlab-nbjobs:plugin');
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^jupyterlab-nbjobs:/);
    }
  });

  it('has a settings schema for each plugin that declares menus or settings', () => {
    const fs = require('fs');
    const path = require('path');
    const dir = path.join(__dirname, '..', '..', 'schema');
    const ids = new Set(plugins.map(p => p.id.split(':')[1]));
    for (const file of fs.readdirSync(dir)) {
      expect(ids.has(file.replace(/\.json$/, ''))).toBe(true);
    }
  });
});
