/**
 * @jest-environment node
 */
import { buildSettings, fieldOfServerError, IFormValues } from '../model/form';

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
