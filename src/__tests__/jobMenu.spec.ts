import { nullTranslator } from '@jupyterlab/translation';

import { JobActions } from '../actions';
import { JOB_MENU_ITEMS, openJobMenu } from '../actions/jobMenu';
import { makeJob } from './fakeServer';

describe("a job's actions menu", () => {
  const trans = nullTranslator.load('jupyterlab_nbjobs');
  const actions = { trans, stop: jest.fn(), rerun: jest.fn() } as unknown as JobActions;

  const items = (status: 'running' | 'completed') => {
    const menu = openJobMenu(actions, makeJob('a', { status }), 0, 0);
    const shown = menu.items
      .filter(i => i.type === 'command')
      .map(i => [i.command, i.isEnabled] as [string, boolean]);
    menu.dispose();
    return shown;
  };

  it('keeps its items in one order whatever the status, disabling what does not apply', () => {
    const running = items('running');
    const done = items('completed');
    expect(running.map(([c]) => c)).toEqual([...JOB_MENU_ITEMS]);
    expect(done.map(([c]) => c)).toEqual([...JOB_MENU_ITEMS]);
    const enabled = (list: [string, boolean][]) =>
      list.filter(([, on]) => on).map(([c]) => c);
    expect(enabled(running)).toEqual(['details', 'log', 'stop', 'open-input', 'delete']);
    expect(enabled(done)).not.toContain('stop');
    expect(enabled(done)).toContain('rerun');
  });
});
