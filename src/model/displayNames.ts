import { ISignal, Signal } from '@lumino/signaling';

import { NbJobsClient } from '../api/client';

/**
 * The names a user knows kernels and backends by ("Python 3 (ipykernel)", "Local"), read
 * once from the server's environments; until then (or for one no longer installed) the id.
 */
export class DisplayNames {
  constructor(private client: NbJobsClient) {}

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  kernel(name: string | null | undefined): string {
    this._load();
    return name ? (this._kernels.get(name) ?? name) : '';
  }

  backend(name: string): string {
    this._load();
    return this._backends.get(name) ?? name;
  }

  /** Read the environments (once); resolves when the names are known or the read failed. */
  ready(): Promise<void> {
    this._load();
    return this._loading ?? Promise.resolve();
  }

  private _load(): void {
    if (this._loading) {
      return;
    }
    this._loading = this.client
      .getEnvironments()
      .then(env => {
        env.kernels.forEach(k => this._kernels.set(k.name, k.display_name));
        env.backends.forEach(b => this._backends.set(b.name, b.label));
        this._changed.emit();
      })
      .catch(() => undefined);
  }

  private _loading: Promise<void> | null = null;
  private _kernels = new Map<string, string>();
  private _backends = new Map<string, string>();
  private _changed = new Signal<this, void>(this);
}
