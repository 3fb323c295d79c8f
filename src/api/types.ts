/**
 * REST types of the nbjobs server extension. They mirror jupyterlab_nbjobs/models.py
 * (the source of the OpenAPI schema); times are ISO-8601 UTC strings.
 */

export type JobStatus =
  | 'queued'
  | 'running'
  | 'completed'
  | 'failed'
  | 'stopping'
  | 'stopped';

export const JOB_STATUSES: JobStatus[] = [
  'queued',
  'running',
  'completed',
  'failed',
  'stopping',
  'stopped'
];

export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>([
  'completed',
  'failed',
  'stopped'
]);

export function isFinal(status: JobStatus): boolean {
  return FINAL_STATUSES.has(status);
}

export type JSONValue =
  | string
  | number
  | boolean
  | null
  | JSONValue[]
  | { [key: string]: JSONValue };

export type Parameters = { [name: string]: JSONValue };

/** What a job runs: shared by jobs, schedules and sweeps. */
export interface IJobSettings {
  input_path: string;
  name?: string | null;
  kernel_name?: string | null;
  backend?: string;
  backend_options?: { [key: string]: JSONValue };
  parameters?: Parameters;
  output_formats?: string[];
  package_input_folder?: boolean;
  env?: { [name: string]: string };
  timeout_seconds?: number | null;
  max_retries?: number;
  tags?: string[];
}

export interface IJobCreate extends IJobSettings {
  idempotency_key?: string | null;
}

export interface IProgress {
  cells_done: number;
  cells_total: number;
}

export interface IJobError {
  message: string;
  reason: string;
  cell_index: number | null;
  ename: string | null;
  evalue: string | null;
  traceback: string[];
}

export interface IJob {
  id: string;
  name: string;
  input_path: string;
  kernel_name: string;
  backend: string;
  backend_options: { [key: string]: JSONValue };
  parameters: Parameters;
  output_formats: string[];
  package_input_folder: boolean;
  env: { [name: string]: string };
  timeout_seconds: number | null;
  max_retries: number;
  tags: string[];
  idempotency_key: string | null;
  schedule_id: string | null;
  sweep_id: string | null;
  status: JobStatus;
  progress: IProgress;
  attempts: number;
  error: IJobError | null;
  output_path: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  ended_at: string | null;
}

export interface IJobPage {
  jobs: IJob[];
  next_cursor: string | null;
}

export type JobSort =
  | '-created_at'
  | 'created_at'
  | 'name'
  | '-name'
  | 'status'
  | '-status';

export interface IJobQuery {
  status?: JobStatus[];
  name?: string;
  tag?: string;
  schedule_id?: string;
  sweep_id?: string;
  updated_since?: string;
  sort?: JobSort;
  limit?: number;
  cursor?: string | null;
}

export interface IBulkResult {
  done: string[];
  errors: { [id: string]: { message: string; reason: string } };
}

export interface IOutputFile {
  name: string;
  kind: 'notebook' | 'html' | 'log' | 'file' | string;
  size: number;
  path: string;
}

export interface ILogChunk {
  text: string;
  offset: number;
  size: number;
  complete: boolean;
}

export interface IKernelInfo {
  name: string;
  display_name: string;
  language: string | null;
}

export interface IOutputFormatInfo {
  name: string;
  label: string;
}

export interface IBackendInfo {
  name: string;
  label: string;
  default: boolean;
  options: { [key: string]: JSONValue };
}

export interface IEnvironments {
  kernels: IKernelInfo[];
  default_kernel: string | null;
  output_formats: IOutputFormatInfo[];
  backends: IBackendInfo[];
}

export interface INotebookParameter {
  name: string;
  inferred_type: string | null;
  default: string | null;
  help: string;
}

export interface INotebookParameters {
  path: string;
  kernel_name: string | null;
  has_parameters_cell: boolean;
  parameters: INotebookParameter[];
}

// -- schedules and sweeps ---------------------------------------------------------------

export type OverlapPolicy = 'skip' | 'allow';
export type CatchupPolicy = 'skip' | 'once' | 'each';

export interface IScheduleCreate extends IJobSettings {
  cron: string;
  timezone?: string;
  start_at?: string | null;
  end_at?: string | null;
  active?: boolean;
  overlap_policy?: OverlapPolicy;
  catchup_policy?: CatchupPolicy;
  catchup_limit?: number;
}

export type IScheduleUpdate = Partial<IScheduleCreate>;

export interface IFireRecord {
  fire_time: string;
  outcome: string;
  job_id: string | null;
}

/** A run fired by a remote schedule (a SageMaker pipeline execution). */
export interface IRemoteRun {
  execution_arn: string | null;
  status: string;
  aws_status: string | null;
  started_at: string | null;
  display_name: string | null;
  failure_reason: string | null;
}

export interface ISchedule {
  id: string;
  name: string;
  input_path: string;
  kernel_name: string | null;
  backend: string;
  backend_options: { [key: string]: JSONValue };
  parameters: Parameters;
  output_formats: string[];
  package_input_folder: boolean;
  env: { [name: string]: string };
  timeout_seconds: number | null;
  max_retries: number;
  tags: string[];
  cron: string;
  cron_description: string;
  timezone: string;
  start_at: string | null;
  end_at: string | null;
  active: boolean;
  overlap_policy: OverlapPolicy;
  catchup_policy: CatchupPolicy;
  catchup_limit: number;
  next_fire_at: string | null;
  next_fire_times: string[];
  last_runs: IJob[];
  recent_fires: IFireRecord[];
  /** The remote schedule (SageMaker pipeline + EventBridge), when the backend keeps one. */
  remote?: { [key: string]: JSONValue } | null;
  remote_runs?: IRemoteRun[];
  snapshot_at: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  warnings: string[];
}

export interface IScheduleList {
  schedules: ISchedule[];
}

export interface IRunResult {
  job: IJob;
  warnings: string[];
}

export interface ICronInfo {
  cron: string;
  description: string;
  timezone: string;
  next_fire_times: string[];
}

export interface ISweepCreate extends IJobSettings {
  grid?: { [name: string]: JSONValue[] };
  combinations?: Parameters[];
}

export interface ISweepItem {
  parameters: Parameters;
  job_id: string | null;
  status: JobStatus | null;
}

export interface ISweep {
  id: string;
  name: string;
  input_path: string;
  grid: { [name: string]: JSONValue[] };
  items: ISweepItem[];
  counts: { [status: string]: number };
  total: number;
  done: boolean;
  created_by: string | null;
  created_at: string;
  warnings: string[];
}

/** The error body of every 4xx/5xx answer. */
export interface IErrorBody {
  message: string;
  reason: string;
  field?: string | null;
}
