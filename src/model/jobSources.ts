import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { NbJobsClient } from '../api/client';
import { IEnvironments, INotebookParameters } from '../api/types';

/**
 * What a form of job settings offers and reads from the server: the kernels, formats and
 * backends on offer, and the parameters cell of the chosen notebook. The create-job form's
 * model and the schedule editor's are this, plus what each sends.
 */
export class JobSourcesModel implements IDisposable {
  constructor(protected readonly client: NbJobsClient) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get environments(): IEnvironments | null {
    return this._environments;
  }

  /** Why the environments could not be read. */
  get environmentsError(): string | null {
    return this._environmentsError;
  }

  /** The chosen notebook's parameters cell (null while it is read, or if that failed). */
  get notebook(): INotebookParameters | null {
    return this._notebook;
  }

  /** Why the chosen notebook's parameters could not be read (a missing notebook, say). */
  get notebookError(): string | null {
    return this._notebookError;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Read the environments; resolves to them, or null on failure. */
  async loadEnvironments(): Promise<IEnvironments | null> {
    try {
      this._environments = await this.client.getEnvironments();
      this._environmentsError = null;
    } catch (error) {
      this._environmentsError = (error as Error).message;
    }
    this._emit();
    return this._environments;
  }

  /**
   * Read the parameters of the notebook at `path`; resolves to them, or to null on failure
   * or when another path was chosen meanwhile.
   */
  async setPath(path: string): Promise<INotebookParameters | null> {
    const request = ++this._pathRequest;
    this._notebook = null;
    this._notebookError = null;
    this._emit();
    try {
      const notebook = await this.client.getParameters(path);
      if (request !== this._pathRequest) {
        return null;
      }
      this._notebook = notebook;
      return notebook;
    } catch (error) {
      if (request === this._pathRequest) {
        this._notebookError = (error as Error).message;
      }
      return null;
    } finally {
      this._emit();
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    Signal.clearData(this);
  }

  protected _emit(): void {
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  private _environments: IEnvironments | null = null;
  private _environmentsError: string | null = null;
  private _notebook: INotebookParameters | null = null;
  private _notebookError: string | null = null;
  private _pathRequest = 0;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
