import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  Dialog,
  MainAreaWidget,
  Notification,
  showDialog,
  ToolbarButton
} from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { IFrame, notebookIcon } from '@jupyterlab/ui-components';
import { Title, Widget } from '@lumino/widgets';

import { IBulkResult, IJob, IOutputFile, isFinal } from '../api/types';
import { nbjobsIcon } from '../icons';
import { CommandIDs, INbJobs } from '../tokens';
import { guard } from './notify';

/** The class of an executed notebook's tab (style/base.css puts "executed ·" before its name). */
export const EXECUTED_TAB_CLASS = 'jp-NbJobs-executedTab';

/**
 * Tell an executed notebook's tab from its input's, which has the same file name: the jobs
 * icon, and "executed ·" before the name. Not by a new label: a document widget renames its
 * file when its title's label changes (DocumentWidget._onTitleChanged), so the word is added
 * by CSS on the tab's class, in the user's language through a CSS variable.
 */
export function markExecutedTab(title: Title<Widget>, trans: TranslationBundle): void {
  document.documentElement.style.setProperty(
    '--jp-nbjobs-executed-tab-note',
    JSON.stringify(trans.__('executed') + ' · ')
  );
  title.icon = nbjobsIcon;
  if (!title.className.split(/\s+/).includes(EXECUTED_TAB_CLASS)) {
    title.className = `${title.className} ${EXECUTED_TAB_CLASS}`.trim();
  }
}

/**
 * What a user can do to a job, shared by the sidebar rows and the detail view. Every
 * action reports failures as a notification instead of throwing into React.
 */
export class JobActions {
  constructor(
    readonly app: JupyterFrontEnd,
    readonly service: INbJobs
  ) {}

  get trans() {
    return this.service.trans;
  }

  openDetail(job: IJob, tab?: 'log'): void {
    void this.app.commands.execute(CommandIDs.openJob, { id: job.id, tab: tab ?? '' });
  }

  openPath(path: string): Promise<any> {
    return this.app.commands.execute('docmanager:open', { path });
  }

  openInput(job: IJob): void {
    void this.openPath(job.input_path);
  }

  /**
   * Open the executed notebook that the job published under the server root; with a
   * cell index, select and scroll to that cell (the failing one).
   */
  async openOutput(job: IJob, cellIndex?: number): Promise<void> {
    const outputs = await guard(() => this.service.client.listOutputs(job.id));
    const notebook = outputs?.find(o => o.kind === 'notebook');
    if (notebook) {
      const widget = await this.openPath(notebook.path);
      if (widget?.title) {
        markExecutedTab(widget.title, this.trans);
      }
      if (cellIndex !== undefined && widget?.content && widget.context) {
        await widget.context.ready;
        await widget.revealed;
        widget.content.activeCellIndex = cellIndex;
        await widget.content.scrollToItem?.(cellIndex, 'center');
      }
    } else if (outputs) {
      Notification.warning(this.trans.__('This job has no executed notebook yet.'), {
        autoClose: 4000
      });
    }
  }

  /**
   * Show the executed notebook as a read-only page in a main-area tab, without starting a
   * kernel: the server renders it (nbconvert's HTML) and serves it under a sandbox CSP; the
   * frame is sandboxed too (no scripts, no same origin), so nothing the job wrote can run.
   * A second call shows the tab already open.
   */
  async viewExecuted(job: IJob): Promise<MainAreaWidget<IFrame> | undefined> {
    const id = `jp-nbjobs-view-${job.id}`;
    const open = Array.from(this.app.shell.widgets('main')).find(w => w.id === id);
    if (open) {
      this.app.shell.activateById(id);
      return open as MainAreaWidget<IFrame>;
    }
    const outputs = await guard(() => this.service.client.listOutputs(job.id));
    if (!outputs) {
      return undefined;
    }
    if (!outputs.some(o => o.kind === 'notebook')) {
      Notification.warning(this.trans.__('This job has no executed notebook yet.'), {
        autoClose: 4000
      });
      return undefined;
    }
    const frame = new IFrame({ sandbox: [] });
    frame.url = this.service.client.viewUrl(job.id);
    frame.addClass('jp-NbJobs-view');
    const widget = new MainAreaWidget({ content: frame });
    widget.id = id;
    widget.toolbar.addItem(
      'open-as-notebook',
      new ToolbarButton({
        label: this.trans.__('Open as notebook'),
        tooltip: this.trans.__('Open the executed notebook in the notebook editor'),
        onClick: () => void this.openOutput(job)
      })
    );
    widget.title.label = this.trans.__('%1 (executed)', job.name);
    widget.title.caption = this.trans.__(
      'The executed notebook of job "%1", read-only',
      job.name
    );
    widget.title.icon = notebookIcon;
    widget.title.closable = true;
    this.app.shell.add(widget, 'main');
    this.app.shell.activateById(id);
    return widget;
  }

  /** Where the browser downloads one output file from. */
  outputUrl(job: IJob, output: IOutputFile): string {
    return this.service.client.outputUrl(job.id, output.name, true);
  }

  download(job: IJob, output: IOutputFile): void {
    const a = document.createElement('a');
    a.href = this.outputUrl(job, output);
    a.download = output.name.split('/').pop() ?? output.name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  /** Download every output of the job as one zip archive (the server builds it). */
  downloadAll(job: IJob): void {
    const a = document.createElement('a');
    a.href = this.service.client.archiveUrl(job.id);
    a.download = '';
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  async stop(jobs: IJob[]): Promise<void> {
    const ids = jobs.filter(j => !isFinal(j.status)).map(j => j.id);
    if (!ids.length) {
      return;
    }
    const result = await guard(() => this.service.client.bulkStop(ids));
    this.reportBulk(result?.errors, this.trans.__('stop'));
    await this.service.jobs.refresh();
  }

  /**
   * Run the job again from its snapshot: the create-job form, prefilled with every setting
   * of this job (typed parameters, kernel, compute, formats, ...), to change any of them.
   */
  rerun(job: IJob): void {
    void this.app.commands.execute(CommandIDs.rerunJob, { id: job.id });
  }

  async remove(jobs: IJob[]): Promise<boolean> {
    if (!jobs.length) {
      return false;
    }
    const running = jobs.some(j => !isFinal(j.status));
    const body =
      jobs.length === 1
        ? this.trans.__('Delete the job "%1" and its outputs?', jobs[0].name)
        : this.trans.__('Delete %1 jobs and their outputs?', jobs.length);
    const answer = await showDialog({
      title: this.trans.__('Delete jobs'),
      body: running ? body + ' ' + this.trans.__('Running jobs are stopped first.') : body,
      buttons: [
        Dialog.cancelButton({ label: this.trans.__('Cancel') }),
        Dialog.warnButton({ label: this.trans.__('Delete') })
      ]
    });
    if (!answer.button.accept) {
      return false;
    }
    const result = await guard(() =>
      this.service.client.bulkDelete(jobs.map(j => j.id))
    );
    if (result) {
      this.service.jobs.remove(result.done);
      this.reportBulk(result.errors, this.trans.__('delete'));
    }
    return !!result;
  }

  private reportBulk(errors: IBulkResult['errors'] | undefined, verb: string): void {
    const failed = Object.entries(errors ?? {});
    if (failed.length) {
      Notification.warning(
        this.trans.__('Could not %1 %2 job(s): %3', verb, failed.length, failed[0][1].message),
        { autoClose: 6000 }
      );
    }
  }
}
