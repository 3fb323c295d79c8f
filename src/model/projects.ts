import { TranslationBundle } from '@jupyterlab/translation';

import { InstancesClient } from '../api/instances';
import { IMe, IProject, IProjectCreate, IProjectUpdate } from '../api/instanceTypes';
import { checkStopTime, FieldErrors } from './instanceForm';
import { PollingModel } from './polling';

/**
 * The projects the caller may see (admins: all), read when the view is shown; nothing in a
 * project changes by itself, so it does not poll. Changes go through it and show at once.
 */
export class ProjectListModel extends PollingModel {
  constructor(options: { client: InstancesClient; interval: number }) {
    super({ interval: options.interval, name: 'nbjobs:projects' });
    this._client = options.client;
  }

  get me(): IMe | null {
    return this._me;
  }

  get projects(): readonly IProject[] | null {
    return this._projects;
  }

  setActive(active: boolean): void {
    const wasFinished = this.finished;
    super.setActive(active);
    if (active && wasFinished && !this.isDisposed) {
      void this.refresh();
    }
  }

  async create(body: IProjectCreate): Promise<IProject> {
    const project = await this._client.createProject(body);
    this._put(project);
    return project;
  }

  async update(name: string, patch: IProjectUpdate): Promise<IProject> {
    const project = await this._client.updateProject(name, patch);
    this._put(project);
    return project;
  }

  async remove(name: string): Promise<void> {
    await this._client.deleteProject(name);
    this._projects = (this._projects ?? []).filter(p => p.name !== name);
    this.emitChanged();
  }

  protected async load(stale: () => boolean): Promise<void> {
    const [me, projects] = await Promise.all([this._client.me(), this._client.listProjects()]);
    if (!stale()) {
      this._me = me;
      this._projects = [...projects].sort((a, b) => a.name.localeCompare(b.name));
      this.finish();
    }
  }

  private _put(project: IProject): void {
    const list = (this._projects ?? []).filter(p => p.name !== project.name);
    this._projects = [...list, project].sort((a, b) => a.name.localeCompare(b.name));
    this.emitChanged();
  }

  private _client: InstancesClient;
  private _me: IMe | null = null;
  private _projects: IProject[] | null = null;
}

/** User names from text: separated by commas or new lines (a name may hold spaces), each once. */
export function parseUsers(text: string): string[] {
  const names = text
    .split(/[,\n]/)
    .map(n => n.trim())
    .filter(Boolean);
  return Array.from(new Set(names));
}

/** Whether the browser knows a time zone (IANA name). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The time zones to offer (the browser's list), UTC first. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const zones = intl.supportedValuesOf?.('timeZone') ?? [];
  return ['UTC', ...zones.filter(z => z !== 'UTC')];
}

export interface IProjectFormValues {
  name: string;
  description: string;
  owners: string;
  members: string;
  stopTime: string;
  timezone: string;
  allowOverride: boolean;
}

export function projectValues(project?: IProject): IProjectFormValues {
  return {
    name: project?.name ?? '',
    description: project?.description ?? '',
    owners: (project?.owners ?? []).join(', '),
    members: (project?.members ?? []).join(', '),
    stopTime: project?.stop_time ?? '',
    timezone: project?.timezone ?? 'UTC',
    allowOverride: project?.allow_owner_override ?? false
  };
}

/** A project name as the server takes it. */
export const PROJECT_NAME_PATTERN = /^[A-Za-z0-9]{1,24}$/;

/**
 * A create (no `project`) or PATCH body from the project form. A PATCH holds only what
 * changed and what the caller may change (the project's `actions`: `update` for the
 * description, stop time, zone and override flag, `manage_members`, `manage_owners`).
 */
export function buildProject(
  v: IProjectFormValues,
  trans: TranslationBundle,
  project?: IProject
): { body: IProjectCreate | IProjectUpdate; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (!project && !PROJECT_NAME_PATTERN.test(v.name)) {
    errors['name'] = trans.__(
      '1 to 24 letters (a-z, A-Z) and digits.'
    );
  }
  const stopError = checkStopTime(v.stopTime, trans);
  if (stopError) {
    errors['stop_time'] = stopError;
  }
  if (!isTimeZone(v.timezone)) {
    errors['timezone'] = trans.__('Not a time zone this browser knows (e.g. Europe/Paris).');
  }
  const full: IProjectCreate = {
    name: v.name,
    description: v.description,
    owners: parseUsers(v.owners),
    members: parseUsers(v.members),
    stop_time: v.stopTime || null,
    timezone: v.timezone,
    allow_owner_override: v.allowOverride
  };
  if (!project) {
    return { body: full, errors };
  }
  const may = new Set(project.actions);
  const patch: IProjectUpdate = {};
  if (may.has('manage_owners') && !sameSet(full.owners!, project.owners)) {
    patch.owners = full.owners;
  }
  if (may.has('manage_members') && !sameSet(full.members!, project.members)) {
    patch.members = full.members;
  }
  if (may.has('update')) {
    if (full.description !== project.description) {
      patch.description = full.description;
    }
    if (full.stop_time !== project.stop_time) {
      patch.stop_time = full.stop_time;
    }
    if (full.timezone !== project.timezone) {
      patch.timezone = full.timezone;
    }
    if (full.allow_owner_override !== project.allow_owner_override) {
      patch.allow_owner_override = full.allow_owner_override;
    }
  } else {
    delete errors['stop_time'];
    delete errors['timezone'];
  }
  return { body: patch, errors };
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every(x => b.includes(x));
}
