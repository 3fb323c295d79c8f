/**
 * @jest-environment node
 */
import { backendFields, computeOptions, IBackendField } from '../components/ComputeSection';

const FIELDS: IBackendField[] = [
  { name: 'image', label: 'Image', type: 'string', required: true },
  { name: 'instance_type', label: 'Instance', type: 'choice', choices: ['ml.m5.large'] },
  { name: 'subnets', label: 'Subnets', type: 'list' },
  { name: 'network_isolation', label: 'Isolation', type: 'boolean' },
  { name: 'max_runtime_seconds', label: 'Max runtime', type: 'integer', min: 1, max: 100 },
  { name: 'env', label: 'Env', type: 'mapping' }
];

describe('compute options', () => {
  it('sends only filled fields, typed', () => {
    const { options, errors } = computeOptions(FIELDS, {
      image: 'img:1',
      instance_type: '',
      subnets: 'a, b',
      network_isolation: 'true',
      max_runtime_seconds: '60',
      env: 'A=1'
    });
    expect(errors).toEqual({});
    expect(options).toEqual({
      image: 'img:1',
      subnets: ['a', 'b'],
      network_isolation: true,
      max_runtime_seconds: 60,
      env: { A: '1' }
    });
  });

  it('reports bad values under backend_options.<name>', () => {
    const { errors } = computeOptions(FIELDS, { max_runtime_seconds: '1000', env: 'x' });
    expect(Object.keys(errors).sort()).toEqual([
      'backend_options.env',
      'backend_options.max_runtime_seconds'
    ]);
  });

  it('reads the fields a backend declares', () => {
    expect(backendFields(undefined)).toEqual([]);
    expect(
      backendFields({ name: 'sm', label: 'SM', default: false, options: { fields: FIELDS as any } })
    ).toHaveLength(6);
  });
});
