import { Notification } from '@jupyterlab/apputils';

import { ApiError } from '../api/client';

/**
 * Run a request; on failure show the server's message as a notification and resolve to
 * undefined. Actions run from click handlers, so they report instead of throwing into React.
 */
export async function guard<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    const message = error instanceof ApiError ? error.message : String(error);
    Notification.error(message, { autoClose: 6000 });
    return undefined;
  }
}
