import plugins from '../index';

describe('index', () => {
  it('exports the plugins with unique jupyterlab-nbjobs ids', () => {
    const ids = plugins.map(p => p.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^jupyterlab-nbjobs:/);
    }
  });
});
