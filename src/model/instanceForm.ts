/**
 * The notebook-instance form's rules: SageMaker's name rule, the stop time, the volume,
 * and the values -> a create or update body. Errors are keyed by the request's field so
 * that the form shows each one next to its input, the server's included.
 */
import { TranslationBundle } from '@jupyterlab/translation';

import {
  IInstance,
  IInstanceCreate,
  IInstanceOptions,
  IInstanceUpdate
} from '../api/instanceTypes';

/** SageMaker's NotebookInstanceName: letters, digits and inner hyphens, 63 at most. */
export const INSTANCE_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
export const INSTANCE_NAME_MAX = 63;

/** A daily stop time, "HH:MM" on a 24-hour clock. */
export const STOP_TIME_PATTERN = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;

export type FieldErrors = { [field: string]: string };

/** Why a name is refused, or null when SageMaker takes it. */
export function checkInstanceName(name: string, trans: TranslationBundle): string | null {
  if (!name) {
    return trans.__('Give the instance a name.');
  }
  if (name.length > INSTANCE_NAME_MAX) {
    return trans.__('At most %1 characters (this one has %2).', INSTANCE_NAME_MAX, name.length);
  }
  if (name === 'options') {
    return trans.__('"options" is reserved; choose another name.');
  }
  if (!INSTANCE_NAME_PATTERN.test(name)) {
    if (name.startsWith('-') || name.endsWith('-')) {
      return trans.__('A name cannot start or end with a hyphen.');
    }
    return trans.__('Only letters (a-z, A-Z), digits and hyphens, no spaces or other signs.');
  }
  return null;
}

/** Why a stop time is refused ('' means none), or null. */
export function checkStopTime(text: string, trans: TranslationBundle): string | null {
  if (text && !STOP_TIME_PATTERN.test(text)) {
    return trans.__('A time of day as HH:MM, e.g. 19:30.');
  }
  return null;
}

/** The instance types matching a search, the exact match first. */
export function filterInstanceTypes(types: readonly string[], query: string): string[] {
  const q = query.trim().toLowerCase();
  if (!q) {
    return [...types];
  }
  const words = q.split(/\s+/);
  const hits = types.filter(t => words.every(w => t.toLowerCase().includes(w)));
  return hits.sort((a, b) => Number(b.toLowerCase() === q) - Number(a.toLowerCase() === q));
}

export interface IInstanceFormValues {
  name: string;
  project: string;
  instanceType: string;
  volume: string;
  lifecycleConfig: string;
  emrClusterId: string;
  /** "" means: the project's stop time. */
  stopTime: string;
  /** Whether to set the instance's own stop time (an override) instead of the project's. */
  overrideStopTime: boolean;
}

/** The form's starting values: the instance's when editing, the project's defaults else. */
export function initialValues(
  options: IInstanceOptions | null,
  project: string,
  instance?: IInstance
): IInstanceFormValues {
  if (instance) {
    return {
      name: instance.name,
      project: instance.project,
      instanceType: instance.instance_type,
      volume: String(instance.volume_size_gb),
      lifecycleConfig: instance.lifecycle_config ?? '',
      emrClusterId: instance.emr_cluster_id ?? '',
      stopTime: instance.stop_time ?? '',
      overrideStopTime: instance.stop_time_overridden
    };
  }
  return {
    name: '',
    project,
    instanceType: options?.default_instance_type ?? 'ml.t3.medium',
    volume: String(options?.volume_size_gb.default ?? 5),
    lifecycleConfig: '',
    emrClusterId: '',
    stopTime: options?.stop_time ?? '',
    overrideStopTime: false
  };
}

export interface IBuiltInstance<T> {
  body: T;
  errors: FieldErrors;
}

function common(
  v: IInstanceFormValues,
  options: IInstanceOptions | null,
  trans: TranslationBundle,
  errors: FieldErrors
): IInstanceUpdate {
  const body: IInstanceUpdate = {};
  if (!v.instanceType) {
    errors['instance_type'] = trans.__('Choose an instance type.');
  } else if (options && !options.instance_types.includes(v.instanceType)) {
    errors['instance_type'] = trans.__('"%1" is not offered for this project.', v.instanceType);
  }
  body.instance_type = v.instanceType;
  const volume = Number(v.volume);
  const min = options?.volume_size_gb.min ?? 5;
  const max = options?.volume_size_gb.max ?? 16384;
  if (!v.volume.trim() || !Number.isInteger(volume) || volume < min || volume > max) {
    errors['volume_size_gb'] = trans.__('A whole number of GB from %1 to %2.', min, max);
  }
  body.volume_size_gb = volume;
  body.lifecycle_config = v.lifecycleConfig || null;
  if (v.emrClusterId && options && !options.emr_clusters.some(c => c.id === v.emrClusterId)) {
    errors['emr_cluster_id'] = trans.__('This EMR cluster is not available now.');
  }
  body.emr_cluster_id = v.emrClusterId || null;
  if (v.overrideStopTime) {
    const why = checkStopTime(v.stopTime, trans);
    if (why) {
      errors['stop_time'] = why;
    }
    body.stop_time = v.stopTime || null;
  }
  return body;
}

/** A POST /instances body from the form, with what the form can check itself. */
export function buildCreate(
  v: IInstanceFormValues,
  options: IInstanceOptions | null,
  trans: TranslationBundle
): IBuiltInstance<IInstanceCreate> {
  const errors: FieldErrors = {};
  const nameError = checkInstanceName(v.name, trans);
  if (nameError) {
    errors['name'] = nameError;
  }
  if (!v.project) {
    errors['project'] = trans.__('Choose a project.');
  }
  const rest = common(v, options, trans, errors);
  const body: IInstanceCreate = {
    name: v.name,
    project: v.project,
    instance_type: rest.instance_type!,
    volume_size_gb: rest.volume_size_gb!,
    lifecycle_config: rest.lifecycle_config,
    emr_cluster_id: rest.emr_cluster_id
  };
  // Sent only as an override: leaving it out means the project's stop time.
  if (v.overrideStopTime && rest.stop_time) {
    body.stop_time = rest.stop_time;
  }
  return { body, errors };
}

/**
 * A PATCH body with only what changed. Only the stop time may change while the instance
 * runs (`set_stop_time` without `update`).
 */
export function buildUpdate(
  v: IInstanceFormValues,
  options: IInstanceOptions | null,
  instance: IInstance,
  trans: TranslationBundle
): IBuiltInstance<IInstanceUpdate> {
  const errors: FieldErrors = {};
  const all = common(v, options, trans, errors);
  const body: IInstanceUpdate = {};
  const canUpdate = instance.actions.includes('update');
  if (canUpdate) {
    if (all.instance_type !== instance.instance_type) {
      body.instance_type = all.instance_type;
    }
    if (all.volume_size_gb !== instance.volume_size_gb) {
      body.volume_size_gb = all.volume_size_gb;
    }
    if (all.lifecycle_config !== instance.lifecycle_config) {
      body.lifecycle_config = all.lifecycle_config;
    }
    if (all.emr_cluster_id !== instance.emr_cluster_id) {
      body.emr_cluster_id = all.emr_cluster_id;
    }
  } else {
    for (const k of ['instance_type', 'volume_size_gb', 'lifecycle_config', 'emr_cluster_id']) {
      delete errors[k];
    }
  }
  if (v.overrideStopTime) {
    if (all.stop_time !== instance.stop_time || !instance.stop_time_overridden) {
      body.stop_time = all.stop_time;
    }
  } else if (instance.stop_time_overridden) {
    // Back to the project's stop time.
    body.stop_time = null;
  }
  return { body, errors };
}

/** Where a server error belongs: its `field` (e.g. "stop_time", "body.name") -> a form key. */
export function fieldOfServerError(field: string | null | undefined): string {
  if (!field) {
    return 'form';
  }
  const parts = field.split('.').filter(p => p !== 'body');
  return parts[0] || 'form';
}
