import { ISignal } from '@lumino/signaling';
import * as React from 'react';

/** Re-render whenever the signal fires. */
export function useSignal(signal: ISignal<any, any>): void {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    const onChange = () => setTick(t => t + 1);
    signal.connect(onChange);
    return () => {
      signal.disconnect(onChange);
    };
  }, [signal]);
}

/** Re-render every `ms` while `enabled` (for running durations). */
export function useTicker(ms: number, enabled: boolean): void {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    if (!enabled) {
      return;
    }
    const timer = setInterval(() => setTick(t => t + 1), ms);
    return () => clearInterval(timer);
  }, [ms, enabled]);
}

/** Let a model poll while `shown`, and stop when the component goes away. */
export function useActive(model: { setActive(active: boolean): void }, shown: boolean): void {
  React.useEffect(() => {
    model.setActive(shown);
    return () => model.setActive(false);
  }, [model, shown]);
}
