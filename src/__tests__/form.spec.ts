/**
 * @jest-environment node
 */
import { computeOptions, computeTexts } from '../components/ComputeSection';
import {
  buildSettings,
  fieldOfServerError,
  IFormValues,
  jobFieldShown,
  parseBackendOptions,
  rerunBody,
  serverErrors,
  valuesFromSettings
} from '../model/form';
import { makeJob } from './fakeServer';

function values(patch: Partial<IFormValues> = {}): IFormValues {
  return {
    name: ' my job ',
    inputPath: 'nb.ipynb',
    kernel: 'python3',
    backend: 'local',
    backendOptions: '',
    params: [
      { name: 'n', kind: 'int', text: '3', sweepText: '' },
      { name: 'xs', kind: 'json', text: '[1, 2]', sweepText: '' }
    ],
    outputFormats: ['html'],
    packageInputFolder: true,
    env: 'A=1',
    timeout: '60',
    retries: '2',
    tags: 'a, b,',
    ...patch
  };
}

describe('buildSettings', () => {
  it('builds a typed request body', () => {
    const { settings, errors } = buildSettings(values(), false);
    expect(errors).toEqual({});
    expect(settings).toEqual({
      input_path: 'nb.ipynb',
      name: 'my job',
      kernel_name: 'python3',
      backend: 'local',
      backend_options: {},
      parameters: { n: 3, xs: [1, 2] },
      output_formats: ['ipynb', 'html'],
      package_input_folder: true,
      env: { A: '1' },
      timeout_seconds: 60,
      max_retries: 2,
      tags: ['a', 'b']
    });
  });

  it('reports each bad field by name', () => {
    const { errors } = buildSettings(
      values({
        params: [
          { name: 'n', kind: 'int', text: 'x', sweepText: '' },
          { name: '1bad', kind: 'json', text: '1', sweepText: '' }
        ],
        timeout: '-1',
        retries: '31',
        env: 'nope',
        backendOptions: '[1]'
      }),
      false
    );
    expect(Object.keys(errors).sort()).toEqual(
      ['backend_options', 'env', 'max_retries', 'param:1bad', 'param:n', 'timeout_seconds'].sort()
    );
  });

  it('makes a grid in sweep mode and needs at least one list', () => {
    const none = buildSettings(values(), true);
    expect(none.errors['sweep']).toBeDefined();
    const { grid, errors } = buildSettings(
      values({
        params: [
          { name: 'n', kind: 'int', text: '3', sweepText: '1, 2, 3' },
          { name: 's', kind: 'str', text: 'x', sweepText: '' }
        ]
      }),
      true
    );
    expect(errors).toEqual({});
    expect(grid).toEqual({ n: [1, 2, 3] });
  });

  it('maps server error fields to form fields', () => {
    expect(fieldOfServerError('parameters.n')).toBe('param:n');
    expect(fieldOfServerError('timeout_seconds')).toBe('timeout_seconds');
    expect(fieldOfServerError(null)).toBe('form');
    expect(fieldOfServerError('backend_options.image')).toBe('backend_options.image');
  });
});

describe('which error keys a form of job settings shows at an input', () => {
  it('its fixed inputs, its parameter rows, the compute fields of the chosen backend', () => {
    const form = {
      params: [{ name: 'n' }],
      computeFields: [{ name: 'instance_type' }],
      backend: 'cloud'
    };
    expect(jobFieldShown('max_retries', form)).toBe(true);
    expect(jobFieldShown('param:n', form)).toBe(true);
    expect(jobFieldShown('param:m', form)).toBe(false);
    expect(jobFieldShown('backend_options.instance_type', form)).toBe(true);
    expect(jobFieldShown('backend_options.image', form)).toBe(false);
    // The JSON options input exists only for a backend (not local) that describes no fields.
    expect(jobFieldShown('backend_options', form)).toBe(false);
    expect(jobFieldShown('backend_options', { ...form, computeFields: [] })).toBe(true);
    expect(jobFieldShown('backend_options', { ...form, computeFields: [], backend: 'local' })).toBe(
      false
    );
    expect(jobFieldShown('cron', form)).toBe(false);
  });

  it('reads backend options typed as JSON', () => {
    expect(parseBackendOptions('  ')).toEqual({ options: {} });
    expect(parseBackendOptions('{"image": "x"}')).toEqual({ options: { image: 'x' } });
    expect(parseBackendOptions('[1]')).toEqual({ error: 'must be a JSON object' });
    expect(parseBackendOptions('{')).toEqual({ error: 'must be a JSON object' });
    expect(parseBackendOptions('null')).toEqual({ error: 'must be a JSON object' });
  });
});

describe('serverErrors', () => {
  const refused = {
    message: 'timeout_seconds: must be > 0 (and 3 more problems)',
    field: 'timeout_seconds',
    errors: [
      { field: 'timeout_seconds', message: 'Input should be greater than 0' },
      { field: 'parameters.n', message: 'not a number' },
      { field: 'tags.0', message: 'too long' },
      { field: 'tags.1', message: 'empty' },
      { field: 'overlap_policy', message: 'not a policy' },
      { message: 'the body is odd' }
    ]
  };

  it('puts every problem next to its field at once', () => {
    const errors = serverErrors(refused, key => key !== 'overlap_policy');
    expect(errors).toEqual({
      timeout_seconds: 'Input should be greater than 0',
      'param:n': 'not a number',
      tags: 'too long; empty',
      // No input for it: named in the form's message, with the problem without a field.
      form: 'overlap_policy: not a policy; the body is odd'
    });
  });

  it('takes the one message of an answer without a list', () => {
    expect(serverErrors({ message: 'no kernel "x"', field: 'kernel_name' })).toEqual({
      kernel_name: 'no kernel "x"'
    });
    expect(serverErrors({ message: 'backend down', field: null, errors: [] })).toEqual({
      form: 'backend down'
    });
  });
});

describe('running a job again from the form', () => {
  const job = makeJob('j1', {
    name: 'report again',
    input_path: 'work/report.ipynb',
    kernel_name: 'python3',
    backend: 'sagemaker',
    backend_options: { instance_type: 'ml.m5.large' },
    parameters: { n: 3 },
    output_formats: ['ipynb', 'html'],
    package_input_folder: true,
    env: { A: '1', B: 'x=y' },
    timeout_seconds: 90,
    max_retries: 2,
    tags: ['a', 'b']
  });

  it('prefills every setting of the job and sends them back unchanged', () => {
    const v = valuesFromSettings(job);
    expect(v).toEqual({
      name: 'report again',
      inputPath: 'work/report.ipynb',
      kernel: 'python3',
      backend: 'sagemaker',
      backendOptions: JSON.stringify({ instance_type: 'ml.m5.large' }, null, 2),
      outputFormats: ['html'],
      packageInputFolder: true,
      env: 'A=1\nB=x=y',
      timeout: '90',
      retries: '2',
      tags: 'a, b'
    });
    const built = buildSettings(
      { ...v, params: [{ name: 'n', kind: 'int', text: '3', sweepText: '' }] },
      false
    );
    expect(built.errors).toEqual({});
    // The snapshot's input and packaging are not the rerun's to change.
    expect(rerunBody(built.settings)).toEqual({
      name: 'report again',
      kernel_name: 'python3',
      backend: 'sagemaker',
      backend_options: { instance_type: 'ml.m5.large' },
      parameters: { n: 3 },
      output_formats: ['ipynb', 'html'],
      env: { A: '1', B: 'x=y' },
      timeout_seconds: 90,
      max_retries: 2,
      tags: ['a', 'b']
    });
  });

  it('reads compute options back into their typed fields', () => {
    const fields = [
      { name: 'instance_type', label: 'Instance', type: 'string' },
      { name: 'subnets', label: 'Subnets', type: 'list' },
      { name: 'tags', label: 'Tags', type: 'mapping' },
      { name: 'spot', label: 'Spot', type: 'boolean' },
      { name: 'volume', label: 'Volume', type: 'integer' }
    ];
    const options = {
      instance_type: 'ml.m5.large',
      subnets: ['s-1', 's-2'],
      tags: { team: 'x' },
      spot: true,
      volume: 30
    };
    const texts = computeTexts(fields, options);
    expect(texts).toEqual({
      instance_type: 'ml.m5.large',
      subnets: 's-1, s-2',
      tags: 'team=x',
      spot: 'true',
      volume: '30'
    });
    expect(computeOptions(fields, texts)).toEqual({ options, errors: {} });
  });
});
