/**
 * Cleanups without a list of one's own in every file: `onCleanup` for what a test starts, and
 * `useCleanupsAfterAll` for what a `beforeAll` starts.
 */
import { afterAll, onTestFinished } from 'vitest';

/** Something to undo once a test, or a file, is done: stop a server, close a client, restore a setting. */
export type Cleanup = () => unknown;

/**
 * Undoes something once the current test is done, passed or failed. Cleanups run one at a time, the last
 * registered first (a client closes before the stack it talks to stops). Only inside a test: for what a
 * `beforeAll` starts, see {@link useCleanupsAfterAll}.
 */
export function onCleanup(cleanup: Cleanup): void {
  onTestFinished(async () => {
    await cleanup();
  });
}

/**
 * For what a `beforeAll` starts: returns a function that registers cleanups to run after the last test of
 * the file or `describe` block this is called in, the last registered first. Call it at the top level of
 * either; a test may register with it too, for what later tests count on.
 */
export function useCleanupsAfterAll(): (cleanup: Cleanup) => void {
  const pending: Cleanup[] = [];
  afterAll(async () => {
    for (const cleanup of pending.splice(0).reverse()) await cleanup();
  });
  return (cleanup) => {
    pending.push(cleanup);
  };
}
