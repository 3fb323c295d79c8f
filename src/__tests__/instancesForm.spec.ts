/**
 * @jest-environment node
 */
import { nullTranslator } from '@jupyterlab/translation';

import {
  buildCreate,
  buildUpdate,
  checkInstanceName,
  fieldOfServerError,
  filterInstanceTypes,
  initialValues
} from '../model/instanceForm';
import { buildProject, parseUsers, projectValues } from '../model/projects';
import { InstancesFake, makeInstance, makeProject } from './instancesFake';

const trans = nullTranslator.load('jupyterlab_nbjobs');
const options = new InstancesFake().options;

describe("SageMaker's instance name rule", () => {
  it.each(['a', 'lab-1', 'A1-b--c', 'x'.repeat(63)])('takes %s', name => {
    expect(checkInstanceName(name, trans)).toBeNull();
  });

  it.each([
    ['', 'Give the instance a name.'],
    ['-lab', 'A name cannot start or end with a hyphen.'],
    ['lab-', 'A name cannot start or end with a hyphen.'],
    ['my lab', 'Only letters'],
    ['lab_1', 'Only letters'],
    ['été', 'Only letters'],
    ['x'.repeat(64), 'At most 63 characters (this one has 64).'],
    ['options', '"options" is reserved']
  ])('refuses %j', (name, why) => {
    expect(checkInstanceName(name, trans)).toContain(why);
  });
});

describe('the instance form', () => {
  it('searches instance types by every word, the exact one first', () => {
    const types = ['ml.t3.medium', 'ml.t3.large', 'ml.m5.xlarge', 'ml.t3.xlarge'];
    expect(filterInstanceTypes(types, 't3 large')).toEqual(['ml.t3.large', 'ml.t3.xlarge']);
    expect(filterInstanceTypes(types, 'ML.M5.XLARGE')).toEqual(['ml.m5.xlarge']);
    expect(filterInstanceTypes(types, '')).toEqual(types);
  });

  it('builds a create body, the stop time only as an override', () => {
    const v = { ...initialValues(options, 'vision'), name: 'lab-1' };
    expect(buildCreate(v, options, trans)).toEqual({
      body: {
        name: 'lab-1',
        project: 'vision',
        instance_type: 'ml.t3.medium',
        volume_size_gb: 5,
        lifecycle_config: null,
        emr_cluster_id: null
      },
      errors: {}
    });
    const own = buildCreate(
      { ...v, overrideStopTime: true, stopTime: '18:30', emrClusterId: 'j-WAITING1' },
      options,
      trans
    );
    expect(own.body.stop_time).toBe('18:30');
    expect(own.body.emr_cluster_id).toBe('j-WAITING1');
  });

  it('keys each client-side error by its request field', () => {
    const v = {
      ...initialValues(options, 'vision'),
      name: 'bad name',
      volume: '2',
      instanceType: 'ml.g5.xlarge',
      emrClusterId: 'j-TERMINATED',
      overrideStopTime: true,
      stopTime: '25:00'
    };
    expect(Object.keys(buildCreate(v, options, trans).errors).sort()).toEqual([
      'emr_cluster_id',
      'instance_type',
      'name',
      'stop_time',
      'volume_size_gb'
    ]);
  });

  it('patches only what changed, and only the stop time while the instance runs', () => {
    const stopped = makeInstance('lab-1', { actions: ['update', 'set_stop_time', 'start'] });
    const v = initialValues(options, 'vision', stopped);
    expect(buildUpdate(v, options, stopped, trans).body).toEqual({});
    expect(
      buildUpdate({ ...v, instanceType: 'ml.t3.large', volume: '20' }, options, stopped, trans)
        .body
    ).toEqual({ instance_type: 'ml.t3.large', volume_size_gb: 20 });

    const running = makeInstance('lab-1', {
      status: 'InService',
      actions: ['stop', 'set_stop_time'],
      stop_time: '20:00',
      stop_time_overridden: true
    });
    const r = initialValues(options, 'vision', running);
    expect(r.overrideStopTime).toBe(true);
    const changed = buildUpdate(
      { ...r, stopTime: '21:15', instanceType: 'ml.t3.large' },
      options,
      running,
      trans
    );
    expect(changed).toEqual({ body: { stop_time: '21:15' }, errors: {} });
    // Unticking the override goes back to the project's stop time (null, per the API).
    expect(buildUpdate({ ...r, overrideStopTime: false }, options, running, trans).body).toEqual({
      stop_time: null
    });
  });

  it('puts server errors next to their field', () => {
    expect(fieldOfServerError('stop_time')).toBe('stop_time');
    expect(fieldOfServerError('body.name')).toBe('name');
    expect(fieldOfServerError(null)).toBe('form');
  });
});

describe('the project form', () => {
  it('reads user lists separated by commas or lines, names with spaces kept', () => {
    expect(parseUsers('alice, bob\nJane Doe,, alice ')).toEqual(['alice', 'bob', 'Jane Doe']);
  });

  it('checks a new project and patches only what the caller may change', () => {
    const fresh = buildProject({ ...projectValues(), name: 'bad-name', stopTime: '7pm' }, trans);
    expect(Object.keys(fresh.errors).sort()).toEqual(['name', 'stop_time']);
    const timezone = buildProject({ ...projectValues(), name: 'nlp', timezone: 'Mars/Base' }, trans);
    expect(Object.keys(timezone.errors)).toEqual(['timezone']);

    const owned = makeProject('vision', { actions: ['update', 'manage_members', 'suspend'] });
    const v = {
      ...projectValues(owned),
      owners: 'olivia, mallory',
      members: 'alice, bob, carol',
      stopTime: '20:00'
    };
    expect(buildProject(v, trans, owned).body).toEqual({
      members: ['alice', 'bob', 'carol'],
      stop_time: '20:00'
    });
    const admin = { ...owned, actions: ['update', 'manage_members', 'manage_owners'] as any };
    expect(buildProject(v, trans, admin).body).toHaveProperty('owners', ['olivia', 'mallory']);
    expect(buildProject({ ...v, stopTime: '' }, trans, owned).body).toHaveProperty(
      'stop_time',
      null
    );
  });
});
