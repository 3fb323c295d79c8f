/**
 * REST types of notebook instances and projects (GET me, /projects, /instances).
 * Times are ISO-8601 UTC strings; stop times "HH:MM" in the project's time zone. Derived
 * from the OpenAPI spec (src/api/schema.ts).
 */
import type { components, paths } from './schema';
import type { Sent } from './types';

type Schemas = components['schemas'];

export type InstanceStatus = Schemas['InstanceStatus'];

export const INSTANCE_STATUSES: InstanceStatus[] = [
  'Pending',
  'InService',
  'Stopping',
  'Stopped',
  'Failed',
  'Updating',
  'Deleting'
];

/** States an instance leaves by itself: a view showing one follows it. */
export const TRANSITIONAL: ReadonlySet<InstanceStatus> = new Set<InstanceStatus>([
  'Pending',
  'Stopping',
  'Updating',
  'Deleting'
]);

export function isTransitional(status: InstanceStatus): boolean {
  return TRANSITIONAL.has(status);
}

export type InstanceAction =
  | 'start'
  | 'stop'
  | 'open'
  | 'update'
  | 'delete'
  | 'set_stop_time'
  | 'logs';

export type ProjectAction = 'update' | 'manage_members' | 'manage_owners' | 'suspend' | 'delete';

export type ProjectRole = Schemas['Role'];

// The shapes come from the spec; the action words are narrowed to what the server sends.

export type IMyProject = Sent<Schemas['MyProject']>;

export type IMe = Sent<Schemas['Me']>;

export type IProject = Omit<Sent<Schemas['Project']>, 'actions'> & { actions: ProjectAction[] };

type Request<T, Required extends keyof T> = Pick<T, Required> & Partial<Omit<T, Required>>;

export type IProjectCreate = Request<Schemas['ProjectCreate'], 'name'>;

/** Only the fields sent change. */
export type IProjectUpdate = Partial<Schemas['ProjectUpdate']>;

export type IInstance = Omit<Sent<Schemas['Instance']>, 'actions'> & {
  actions: InstanceAction[];
};

export type IInstanceCreate = Request<Schemas['InstanceCreate'], 'name' | 'project'>;

/**
 * Only the fields sent change; `stop_time: null` goes back to the project's stop time,
 * `lifecycle_config` / `emr_cluster_id` null remove them.
 */
export type IInstanceUpdate = Partial<Schemas['InstanceUpdate']>;

export type IEmrCluster = Sent<Schemas['EmrCluster']>;

export type IInstanceOptions = Sent<Schemas['InstanceOptions']>;

export type IInstanceUrl = Sent<Schemas['InstanceUrl']>;

export type ILogEvent = Sent<Schemas['LogEvent']>;

export type ILogPage = Sent<Schemas['LogPage']>;

type LogQuery = NonNullable<paths['/instances/{instance_name}/logs']['get']['parameters']['query']>;

export type ILogQuery = Omit<LogQuery, 'cursor'> & { cursor?: string | null };
