/**
 * @jest-environment node
 */
import { SidebarTabs } from '../model/sidebarTabs';
import { ISidebarTab } from '../tokens';

const tab = (id: string, rank?: number): ISidebarTab => ({
  id,
  label: id,
  rank,
  render: () => null as any
});

describe('SidebarTabs', () => {
  it('orders tabs by rank, then id, and removes a tab when its registration is disposed', () => {
    const tabs = new SidebarTabs();
    let changes = 0;
    tabs.changed.connect(() => (changes += 1));
    tabs.add(tab('schedules', 200));
    const instances = tabs.add(tab('instances'));
    tabs.add(tab('jobs', 100));
    expect(tabs.tabs.map(t => t.id)).toEqual(['jobs', 'schedules', 'instances']);
    expect(tabs.has('instances')).toBe(true);
    instances.dispose();
    expect(tabs.tabs.map(t => t.id)).toEqual(['jobs', 'schedules']);
    expect(tabs.has('instances')).toBe(false);
    expect(changes).toBe(4);
  });

  it('refuses a second tab with the same id', () => {
    const tabs = new SidebarTabs();
    tabs.add(tab('jobs'));
    expect(() => tabs.add(tab('jobs'))).toThrow(/already registered/);
  });
});
