/**
 * An in-memory stand-in for the notebook-instances API (me, projects, instances, options,
 * logs), served through the `fetch` of ServerConnection settings as the contract describes
 * it: rights by role, `actions` per state, cursor pages of log events (oldest first, the
 * cursor pages older). It records every request so tests can check the wire.
 */
import { ServerConnection } from '@jupyterlab/services';

import {
  IInstance,
  IInstanceOptions,
  ILogEvent,
  IMe,
  InstanceAction,
  InstanceStatus,
  IProject
} from '../api/instanceTypes';

export interface IRecorded {
  method: string;
  url: URL;
  body: any;
}

let clock = Date.parse('2026-12-01T10:00:00Z');

function now(): string {
  clock += 1000;
  return new Date(clock).toISOString();
}

export function makeInstance(name: string, patch: Partial<IInstance> = {}): IInstance {
  const t = now();
  return {
    name,
    project: 'vision',
    owner: 'alice',
    status: 'Stopped',
    failure_reason: null,
    instance_type: 'ml.t3.medium',
    volume_size_gb: 5,
    lifecycle_config: null,
    emr_cluster_id: null,
    stop_time: '19:00',
    stop_time_overridden: false,
    timezone: 'Europe/Paris',
    next_stop_at: null,
    idle_stop_minutes: null,
    arn: `arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/${name}`,
    created_at: t,
    updated_at: t,
    actions: [],
    ...patch
  };
}

export function makeProject(name: string, patch: Partial<IProject> = {}): IProject {
  const t = now();
  return {
    name,
    description: '',
    owners: ['olivia'],
    members: ['alice', 'bob'],
    suspended: false,
    stop_time: '19:00',
    timezone: 'Europe/Paris',
    allow_owner_override: true,
    created_by: 'admin',
    created_at: t,
    updated_at: t,
    role: null,
    actions: [],
    ...patch
  };
}

/** What the contract allows `user` on `i` now. */
export function actionsFor(user: string, admin: boolean, p: IProject, i: IInstance): InstanceAction[] {
  const owner = i.owner === user;
  const projectOwner = p.owners.includes(user);
  const manager = owner || projectOwner || admin;
  const blocked = p.suspended && !projectOwner && !admin;
  const out: InstanceAction[] = [];
  const s = i.status;
  if (owner && !blocked && (s === 'Stopped' || s === 'Failed')) {
    out.push('start');
  }
  if (manager && s === 'InService') {
    out.push('stop');
  }
  if (owner && !blocked && s === 'InService') {
    out.push('open');
  }
  if (manager && !blocked && (s === 'Stopped' || s === 'Failed')) {
    out.push('update', 'delete');
  }
  if (manager && !blocked && p.allow_owner_override) {
    out.push('set_stop_time');
  }
  out.push('logs');
  return out;
}

export class InstancesFake {
  user = 'alice';
  admin = false;
  projects = new Map<string, IProject>();
  instances = new Map<string, IInstance>();
  /** Each instance's log events, oldest first. */
  logs = new Map<string, ILogEvent[]>();
  options: IInstanceOptions = {
    instance_types: ['ml.t3.medium', 'ml.t3.large', 'ml.m5.xlarge', 'ml.c5.2xlarge'],
    default_instance_type: 'ml.t3.medium',
    volume_size_gb: { min: 5, max: 16384, default: 5 },
    lifecycle_configs: ['conda-setup'],
    stop_time: '19:00',
    timezone: 'Europe/Paris',
    allow_override: true,
    emr_clusters: [{ id: 'j-WAITING1', name: 'spark', state: 'WAITING' }],
    emr_note: null
  };
  requests: IRecorded[] = [];
  failNext: { status: number; body: any } | null = null;

  requestsTo(path: string): IRecorded[] {
    return this.requests.filter(r => r.url.pathname === `/lab-base/nbjobs/${path}`);
  }

  addProject(p: IProject): IProject {
    this.projects.set(p.name, p);
    return p;
  }

  add(i: IInstance): IInstance {
    this.instances.set(i.name, i);
    return i;
  }

  /** Change an instance the way AWS would (a transition), with a new updated_at. */
  setStatus(name: string, status: InstanceStatus, patch: Partial<IInstance> = {}): void {
    const i = this.instances.get(name)!;
    this.instances.set(name, { ...i, ...patch, status, updated_at: now() });
  }

  settings(): ServerConnection.ISettings {
    return ServerConnection.makeSettings({
      baseUrl: 'http://localhost:8888/lab-base/',
      token: 'secret-token',
      fetch: (input: RequestInfo, init?: RequestInit) => this.handle(input as Request, init)
    } as any);
  }

  private view(i: IInstance): IInstance {
    const p = this.projects.get(i.project)!;
    return { ...i, actions: actionsFor(this.user, this.admin, p, i) };
  }

  private me(): IMe {
    const projects = Array.from(this.projects.values())
      .filter(p => this.admin || p.owners.includes(this.user) || p.members.includes(this.user))
      .map(p => ({
        name: p.name,
        role: p.owners.includes(this.user)
          ? ('owner' as const)
          : p.members.includes(this.user)
            ? ('member' as const)
            : ('admin' as const),
        suspended: p.suspended
      }));
    return {
      username: this.user,
      display_name: this.user,
      admin: this.admin,
      projects,
      instances_enabled: true
    };
  }

  private async handle(input: Request, init?: RequestInit): Promise<Response> {
    const url = new URL(typeof input === 'string' ? input : input.url);
    // ServerConnection adds a bare timestamp against caching: not part of the API.
    for (const key of Array.from(url.searchParams.keys())) {
      if (/^\d+$/.test(key)) {
        url.searchParams.delete(key);
      }
    }
    const method = (init?.method ?? (input as Request).method ?? 'GET').toUpperCase();
    const raw = init?.body ?? (typeof input !== 'string' ? await input.text() : '');
    const body = raw ? JSON.parse(String(raw)) : undefined;
    this.requests.push({ method, url, body });
    if (this.failNext) {
      const { status, body: errorBody } = this.failNext;
      this.failNext = null;
      return json(status, errorBody);
    }
    const path = url.pathname.replace('/lab-base/nbjobs/', '');
    const q = url.searchParams;
    const missing = () => json(404, { message: `no ${path}`, reason: 'not_found' });
    if (path === 'me') {
      return json(200, this.me());
    }
    if (path === 'projects' && method === 'GET') {
      return json(200, { projects: Array.from(this.projects.values()) });
    }
    if (path === 'projects' && method === 'POST') {
      return json(201, this.addProject(makeProject(body.name, body)));
    }
    const project = /^projects\/([^/]+)$/.exec(path);
    if (project) {
      const p = this.projects.get(decodeURIComponent(project[1]));
      if (!p) {
        return missing();
      }
      if (method === 'PATCH') {
        this.projects.set(p.name, { ...p, ...body });
      } else if (method === 'DELETE') {
        this.projects.delete(p.name);
        return new Response(null, { status: 204 });
      }
      return json(200, this.projects.get(p.name));
    }
    if (path === 'instances/options') {
      return json(200, this.options);
    }
    if (path === 'instances' && method === 'GET') {
      let list = Array.from(this.instances.values());
      if (q.get('mine') === 'true') {
        list = list.filter(i => i.owner === this.user);
      }
      if (q.get('project')) {
        list = list.filter(i => i.project === q.get('project'));
      }
      return json(200, { instances: list.map(i => this.view(i)) });
    }
    if (path === 'instances' && method === 'POST') {
      if (body.stop_time && !this.projects.get(body.project)?.allow_owner_override) {
        return json(403, {
          message: 'this project does not allow its own stop times',
          reason: 'override_not_allowed',
          field: 'stop_time'
        });
      }
      const i = this.add(makeInstance(body.name, { ...body, owner: this.user, status: 'Pending' }));
      return json(201, this.view(i));
    }
    const item = /^instances\/([^/]+)(?:\/(start|stop|url|logs))?$/.exec(path);
    if (!item) {
      return missing();
    }
    const name = decodeURIComponent(item[1]);
    const i = this.instances.get(name);
    if (!i) {
      return missing();
    }
    switch (item[2]) {
      case 'start':
        this.setStatus(name, 'Pending');
        return json(202, this.view(this.instances.get(name)!));
      case 'stop':
        this.setStatus(name, 'Stopping');
        return json(202, this.view(this.instances.get(name)!));
      case 'url':
        return json(200, {
          url: `https://${name}.notebook.us-east-1.sagemaker.aws/lab?authToken=t`,
          expires_at: now()
        });
      case 'logs':
        return json(200, this.logPage(name, q));
    }
    if (method === 'PATCH') {
      this.instances.set(name, { ...i, ...body, updated_at: now() });
    } else if (method === 'DELETE') {
      this.setStatus(name, 'Deleting');
      return json(202, this.view(this.instances.get(name)!));
    }
    return json(200, this.view(this.instances.get(name)!));
  }

  /** The newest `limit` events in [start, end), oldest first; the cursor pages older. */
  private logPage(name: string, q: URLSearchParams) {
    let events = this.logs.get(name) ?? [];
    const start = q.get('start');
    if (start) {
      events = events.filter(e => Date.parse(e.timestamp) >= Date.parse(start));
    }
    const end = Number(q.get('cursor') ?? events.length);
    const limit = Number(q.get('limit') ?? 100);
    const from = Math.max(0, end - limit);
    return {
      events: events.slice(from, end),
      next_cursor: from > 0 ? String(from) : null
    };
  }
}

export function logEvent(n: number, stream = 'lab-1/jupyter.log'): ILogEvent {
  return {
    timestamp: new Date(Date.parse('2026-12-01T09:00:00Z') + n * 1000).toISOString(),
    message: `event ${n}`,
    stream
  };
}

function json(status: number, body: any): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' }
  });
}
