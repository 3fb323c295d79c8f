import { ReactWidget } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import { ISignal } from '@lumino/signaling';

import { PollingModel } from '../model/polling';

/** What a model widget follows: a refresh interval setting, in seconds. */
export interface IIntervalSettings {
  readonly settingsChanged: ISignal<unknown, { refreshInterval: number }>;
}

/**
 * A React view of a polling model: the model polls only while the widget is shown, follows
 * the refresh-interval setting, and is disposed with the widget.
 */
export abstract class ModelWidget<M extends PollingModel> extends ReactWidget {
  constructor(
    readonly model: M,
    service: IIntervalSettings
  ) {
    super();
    model.changed.connect(this.onModelChanged, this);
    service.settingsChanged.connect((_, settings) => {
      model.interval = settings.refreshInterval * 1000;
    }, this);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.model.dispose();
    super.dispose();
  }

  /** Called after each change of the model (React re-renders by itself). */
  protected onModelChanged(): void {
    // Nothing by default.
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.isVisible) {
      this.model.setActive(true);
    } else {
      // A tab restored in the background still needs its first answer, for its title.
      void this.model.refresh();
    }
  }

  protected onBeforeDetach(msg: Message): void {
    this.model.setActive(false);
    super.onBeforeDetach(msg);
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.setActive(true);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.setActive(false);
  }
}
