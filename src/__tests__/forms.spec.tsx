import { nullTranslator } from '@jupyterlab/translation';
import * as React from 'react';
import { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { ServerConnection } from '@jupyterlab/services';

import { ApiError, NbJobsClient } from '../api/client';
import { IEnvironments, IJob, IJobRerun, ISchedule, IScheduleUpdate } from '../api/types';
import { CreateJobForm } from '../components/CreateJobForm';
import { ScheduleEdit } from '../components/ScheduleEdit';
import { Created, CreateJobModel, IRunAgain } from '../model/createJob';
import { ScheduleEditModel } from '../model/schedules';
import { INbJobs } from '../tokens';
import { makeJob, makeSchedule } from './fakeServer';

// React in jsdom; the client's requests are stubbed (jsdom has no fetch).
(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

const environments: IEnvironments = {
  kernels: [
    { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' },
    { name: 'other', display_name: 'Other', language: 'python' }
  ],
  default_kernel: 'python3',
  output_formats: [
    { name: 'ipynb', label: 'Notebook' },
    { name: 'html', label: 'HTML' },
    { name: 'pdf', label: 'PDF' }
  ],
  backends: [{ name: 'local', label: 'Local', default: true, options: {} }]
} as unknown as IEnvironments;

describe('the create-job form', () => {
  let client: NbJobsClient;
  let model: CreateJobModel;
  let host: HTMLDivElement;
  let root: Root;
  let created: Created[];
  let service: INbJobs;

  const job: IJob = makeJob('j1', {
    name: 'sales report',
    input_path: 'work/sales.ipynb',
    parameters: { n: 3, region: 'EU' },
    output_formats: ['ipynb', 'html'],
    package_input_folder: true,
    env: { GREETING: 'hi' },
    timeout_seconds: 90,
    max_retries: 2,
    tags: ['nightly'],
    status: 'completed'
  });

  beforeEach(() => {
    client = new NbJobsClient({
      serverSettings: { baseUrl: 'http://localhost:8888/' } as ServerConnection.ISettings
    });
    jest.spyOn(client, 'getEnvironments').mockResolvedValue(environments);
    jest.spyOn(client, 'getParameters').mockResolvedValue({
      path: 'work/sales.ipynb',
      kernel_name: 'other',
      has_parameters_cell: true,
      parameters: [
        { name: 'n', inferred_type: 'int', default: '1', help: '' },
        { name: 'region', inferred_type: 'str', default: "'US'", help: '' }
      ]
    } as any);
    model = new CreateJobModel(client);
    service = {
      client,
      trans: nullTranslator.load('jupyterlab'),
      settings: { defaultBackend: 'local', defaultOutputFormats: [] }
    } as unknown as INbJobs;
    created = [];
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
    model.dispose();
    jest.restoreAllMocks();
  });

  async function render(again?: IRunAgain): Promise<void> {
    await act(async () => {
      root.render(
        <CreateJobForm
          service={service}
          model={model}
          path={job.input_path}
          onCreated={c => created.push(c)}
          onCancel={() => undefined}
          again={again}
        />
      );
    });
  }

  const input = (id: string) => host.querySelector(`#nbjobs-${id}`) as HTMLInputElement;
  const fieldError = (field: string) =>
    host.querySelector(`[data-field="${field}"] .jp-NbJobs-fieldError`)?.textContent ?? null;
  const type = async (id: string, value: string) => {
    const el = input(id);
    const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), 'value')!.set!;
    await act(async () => {
      setter.call(el, value);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
  };
  const submit = async () => {
    await act(async () => {
      host.querySelector('form')!.dispatchEvent(
        new Event('submit', { bubbles: true, cancelable: true })
      );
    });
  };

  it('reruns prefilled from the job, through the rerun, with what the user changed', async () => {
    const rerun = jest.fn(async (_: IJobRerun) => makeJob('j2', { name: 'sales report 2' }));
    await render({
      settings: job,
      title: 'Rerun "sales report"',
      submitLabel: 'Rerun',
      run: rerun
    });
    expect(host.querySelector('h2')!.textContent).toBe('Rerun "sales report"');
    // No run-now/schedule/sweep choice: a rerun is one job.
    expect(host.querySelector('.jp-NbJobs-modes')).toBeNull();
    expect(input('name').value).toBe('sales report');
    // The job's kernel, not the notebook's (which now says "other").
    expect(input('kernel_name').value).toBe('python3');
    // Its values in the notebook's typed fields.
    expect(input('param-n').value).toBe('3');
    expect(input('param-region').value).toBe('EU');
    expect(input('timeout_seconds').value).toBe('90');
    expect(input('max_retries').value).toBe('2');
    expect(input('tags').value).toBe('nightly');
    expect((host.querySelector('#nbjobs-env') as HTMLTextAreaElement).value).toBe(
      'GREETING=hi'
    );
    const html = host.querySelector('input[value="html"]') as HTMLInputElement;
    expect(html.checked).toBe(true);
    // The snapshot fixes the input and its packaging.
    expect(input('input_path').readOnly).toBe(true);
    expect(input('package_input_folder').disabled).toBe(true);

    await type('param-n', '7');
    await type('name', 'sales report 2');
    await submit();
    expect(rerun).toHaveBeenCalledTimes(1);
    expect(rerun.mock.calls[0][0]).toEqual({
      name: 'sales report 2',
      kernel_name: 'python3',
      backend: 'local',
      backend_options: {},
      parameters: { n: 7, region: 'EU' },
      output_formats: ['ipynb', 'html'],
      env: { GREETING: 'hi' },
      timeout_seconds: 90,
      max_retries: 2,
      tags: ['nightly']
    });
    expect(created).toEqual([{ kind: 'job', job: expect.objectContaining({ id: 'j2' }) }]);
  });

  it('shows every error of a refused request next to its field at once', async () => {
    const refused = new ApiError(400, 'invalid_value', 'name: too long (and 3 more problems)',
      'name', [
        { field: 'name', message: 'String should have at most 200 characters' },
        { field: 'tags.0', message: 'String should have at most 128 characters' },
        { field: 'parameters.n', message: 'too big for this notebook' },
        { field: 'overlap_policy', message: 'not a policy' }
      ]);
    const create = jest.spyOn(client, 'createJob').mockRejectedValue(refused);
    await render();
    expect(input('param-n').value).toBe('1');
    await submit();
    expect(create).toHaveBeenCalledTimes(1);
    expect(fieldError('name')).toBe('String should have at most 200 characters');
    expect(fieldError('tags')).toBe('String should have at most 128 characters');
    expect(fieldError('param-n')).toBe('too big for this notebook');
    // A field the form has no input for is named in the form's message.
    expect(host.querySelector('.jp-NbJobs-error')!.textContent).toBe(
      'overlap_policy: not a policy'
    );
    expect(host.querySelectorAll('.jp-NbJobs-fieldError')).toHaveLength(3);
  });

  it('reruns a job whose notebook is gone, with the values it had', async () => {
    (client.getParameters as jest.Mock).mockRejectedValue(new ApiError(404, 'not_found', 'gone'));
    const rerun = jest.fn(async (_: IJobRerun) => makeJob('j3'));
    await render({ settings: job, title: 'Rerun', submitLabel: 'Rerun', run: rerun });
    expect(fieldError('input_path')).toBeNull();
    expect(host.querySelector('[data-field="input_path"] .jp-NbJobs-help')!.textContent).toContain(
      'no longer there'
    );
    expect(input('param-n').value).toBe('3');
    const button = host.querySelector('button[type="submit"]') as HTMLButtonElement;
    expect(button.disabled).toBe(false);
    await submit();
    expect(rerun.mock.calls[0][0].parameters).toEqual({ n: 3, region: 'EU' });
  });
});

describe('the schedule edit form', () => {
  let client: NbJobsClient;
  let host: HTMLDivElement;
  let root: Root;
  let editor: ScheduleEditModel;
  let onSave: jest.Mock<Promise<ISchedule>, [IScheduleUpdate]>;

  beforeEach(() => {
    client = new NbJobsClient({
      serverSettings: { baseUrl: 'http://localhost:8888/' } as ServerConnection.ISettings
    });
    jest.spyOn(client, 'getEnvironments').mockResolvedValue({
      ...environments,
      backends: [
        ...environments.backends,
        {
          name: 'cloud',
          label: 'Cloud',
          default: false,
          options: { fields: [{ name: 'instance_type', label: 'Instance type', type: 'string' }] }
        }
      ]
    } as unknown as IEnvironments);
    jest.spyOn(client, 'validateCron').mockImplementation(async (cron, timezone) => ({
      cron,
      timezone,
      description: '',
      next_fire_times: ['2026-01-05T00:00:00Z', '2026-01-06T00:00:00Z']
    }) as any);
    onSave = jest.fn(async (patch: IScheduleUpdate) => makeSchedule('s1', patch as any));
    editor = new ScheduleEditModel(client, patch => onSave(patch));
    host = document.createElement('div');
    document.body.appendChild(host);
    root = createRoot(host);
  });

  afterEach(() => {
    act(() => root.unmount());
    host.remove();
    editor.dispose();
    jest.restoreAllMocks();
  });

  async function render(schedule: ISchedule): Promise<void> {
    await act(async () => {
      root.render(
        <ScheduleEdit
          schedule={schedule}
          model={editor}
          trans={nullTranslator.load('jupyterlab')}
          onSaved={() => undefined}
          onCancel={() => undefined}
        />
      );
    });
  }

  const el = (id: string) => host.querySelector(`#nbjobs-${id}`) as HTMLInputElement;
  const error = (field: string) =>
    host.querySelector(`[data-field="${field}"] .jp-NbJobs-fieldError`)?.textContent;
  const change = async (id: string, value: string) => {
    const target = el(id);
    const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(target), 'value')!.set!;
    await act(async () => {
      setter.call(target, value);
      target.dispatchEvent(new Event(target.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }));
    });
  };
  const submit = async () => {
    await act(async () => {
      host.querySelector('form')!.dispatchEvent(
        new Event('submit', { bubbles: true, cancelable: true })
      );
    });
  };

  it('shows every error of a refused save next to its field at once', async () => {
    jest.spyOn(client, 'getParameters').mockRejectedValue(new ApiError(404, 'not_found', 'x'));
    onSave.mockImplementation(async () => {
      throw new ApiError(400, 'invalid_value', 'max_retries: ... (and 2 more problems)',
        'max_retries', [
          { field: 'max_retries', message: 'Input should be a valid integer' },
          { field: 'catchup_limit', message: 'Input should be greater than or equal to 0' },
          { field: 'name', message: 'String should have at most 200 characters' }
        ]);
    });
    await render(makeSchedule('s1', { name: 'nightly' }));
    await submit();
    expect(onSave).toHaveBeenCalledTimes(1);
    expect(error('edit-retries')).toBe('Input should be a valid integer');
    expect(error('edit-catchup_limit')).toBe('Input should be greater than or equal to 0');
    expect(error('edit-name')).toBe('String should have at most 200 characters');
    expect(host.querySelectorAll('.jp-NbJobs-fieldError')).toHaveLength(3);
  });

  it("edits with the create form's parts and sends only what changed", async () => {
    jest.spyOn(client, 'getParameters').mockResolvedValue({
      path: 'nightly.ipynb',
      kernel_name: 'python3',
      has_parameters_cell: true,
      parameters: [{ name: 'n', inferred_type: 'int', default: '1', help: '' }]
    } as any);
    await render(
      makeSchedule('s1', {
        input_path: 'nightly.ipynb',
        kernel_name: 'python3',
        cron: '0 9 * * 1-5',
        timezone: 'Asia/Tokyo',
        parameters: { n: 4 }
      })
    );
    // The kernel by its display name; the preset the cron matches; typed parameter fields.
    const kernel = el('edit-kernel_name') as unknown as HTMLSelectElement;
    expect(kernel.selectedOptions[0].textContent).toBe('Python 3 (ipykernel)');
    expect(Array.from(kernel.options).map(o => o.textContent)).toContain("The notebook's own");
    expect(el('edit-preset').value).toBe('weekdays');
    expect(el('edit-timezone').value).toBe('Asia/Tokyo');
    expect(el('param-n').value).toBe('4');
    // The create form's cron preview: the server's next runs of the edited cron.
    await act(async () => {
      await new Promise(resolve => setTimeout(resolve, 450));
    });
    expect(client.validateCron).toHaveBeenLastCalledWith('0 9 * * 1-5', 'Asia/Tokyo', 5);
    expect(host.querySelectorAll('.jp-NbJobs-nextRuns li')).toHaveLength(2);

    await change('edit-preset', 'daily');
    await change('param-n', '5');
    await submit();
    expect(onSave).toHaveBeenCalledTimes(1);
    expect(onSave.mock.calls[0][0]).toEqual({ cron: '0 9 * * *', parameters: { n: 5 } });

    // A backend that describes its compute fields gets the create form's compute section.
    await change('edit-backend', 'cloud');
    expect(el('edit-compute-instance_type')).not.toBeNull();
    await change('edit-compute-instance_type', 'ml.m5.large');
    await submit();
    expect(onSave.mock.calls[1][0]).toEqual({
      cron: '0 9 * * *',
      parameters: { n: 5 },
      backend: 'cloud',
      backend_options: { instance_type: 'ml.m5.large' }
    });
  });
});
