import { NbJobsClient } from './client';
import {
  IInstance,
  IInstanceCreate,
  IInstanceOptions,
  IInstanceUpdate,
  IInstanceUrl,
  ILogPage,
  ILogQuery,
  IMe,
  IProject,
  IProjectCreate,
  IProjectUpdate
} from './instanceTypes';

/** GET instances filters: one project, or only the caller's own instances. */
export interface IInstanceQuery {
  project?: string;
  mine?: boolean;
}

/**
 * Typed client of the notebook-instances and projects API (under {base_url}/nbjobs/),
 * over the jobs client's transport: the same settings, the same ApiError.
 */
export class InstancesClient {
  constructor(readonly http: NbJobsClient) {}

  me(): Promise<IMe> {
    return this.http.request<IMe>('GET', this.http.url('me'));
  }

  // -- projects --------------------------------------------------------------------------

  async listProjects(): Promise<IProject[]> {
    const body = await this.http.request<{ projects: IProject[] }>(
      'GET',
      this.http.url('projects')
    );
    return body.projects;
  }

  getProject(name: string): Promise<IProject> {
    return this.http.request<IProject>('GET', this.http.url(`projects/${enc(name)}`));
  }

  createProject(body: IProjectCreate): Promise<IProject> {
    return this.http.request<IProject>('POST', this.http.url('projects'), body);
  }

  updateProject(name: string, patch: IProjectUpdate): Promise<IProject> {
    return this.http.request<IProject>('PATCH', this.http.url(`projects/${enc(name)}`), patch);
  }

  deleteProject(name: string): Promise<void> {
    return this.http.request<void>('DELETE', this.http.url(`projects/${enc(name)}`));
  }

  // -- instances -------------------------------------------------------------------------

  async listInstances(query: IInstanceQuery = {}): Promise<IInstance[]> {
    const body = await this.http.request<{ instances: IInstance[] }>(
      'GET',
      this.http.url('instances', {
        project: query.project,
        mine: query.mine ? 'true' : undefined
      })
    );
    return body.instances;
  }

  getInstance(name: string): Promise<IInstance> {
    return this.http.request<IInstance>('GET', this.instanceUrl(name));
  }

  createInstance(body: IInstanceCreate): Promise<IInstance> {
    return this.http.request<IInstance>('POST', this.http.url('instances'), body);
  }

  updateInstance(name: string, patch: IInstanceUpdate): Promise<IInstance> {
    return this.http.request<IInstance>('PATCH', this.instanceUrl(name), patch);
  }

  deleteInstance(name: string): Promise<IInstance> {
    return this.http.request<IInstance>('DELETE', this.instanceUrl(name));
  }

  startInstance(name: string): Promise<IInstance> {
    return this.http.request<IInstance>('POST', this.instanceUrl(name, 'start'), {});
  }

  stopInstance(name: string): Promise<IInstance> {
    return this.http.request<IInstance>('POST', this.instanceUrl(name, 'stop'), {});
  }

  /** A presigned JupyterLab URL of the instance (the owner only; it expires soon). */
  instanceLabUrl(name: string): Promise<IInstanceUrl> {
    return this.http.request<IInstanceUrl>('GET', this.instanceUrl(name, 'url'));
  }

  /** One page of the instance's log events, oldest first; `next_cursor` pages older. */
  instanceLogs(name: string, query: ILogQuery = {}): Promise<ILogPage> {
    return this.http.request<ILogPage>(
      'GET',
      this.http.url(`instances/${enc(name)}/logs`, { ...query })
    );
  }

  /** What the create form offers for a project. */
  instanceOptions(project: string): Promise<IInstanceOptions> {
    return this.http.request<IInstanceOptions>(
      'GET',
      this.http.url('instances/options', { project })
    );
  }

  private instanceUrl(name: string, action?: string): string {
    const path = `instances/${enc(name)}`;
    return this.http.url(action ? `${path}/${action}` : path);
  }
}

function enc(part: string): string {
  return encodeURIComponent(part);
}
