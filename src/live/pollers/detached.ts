import { AsyncResource } from 'node:async_hooks';

/**
 * Runs `fn` in the async context this module was loaded in, not the
 * caller's. A shared poller serves every subscriber for as long as it lives, so
 * its polls belong to none of them: without this, each poll would
 * inherit the context (a trace span, with tracing on) of whichever operation
 * started the watcher or asked for a refresh.
 */
export const detached = AsyncResource.bind(<T>(fn: () => T): T => fn());
