/**
 * The metrics window rule, the same for `NodePool.metrics`, the CSV export
 * and the live metrics: a time range and a number of samples, with defaults
 * taken from the request's time, so that every field of a request that
 * leaves them out gets the very same window (and shares one Run:ai call per
 * pool).
 */
import { z } from 'zod';

/** The default window: the hour before the request, in 20 samples. */
export const DEFAULT_WINDOW_MS = 60 * 60 * 1000;
export const DEFAULT_SAMPLES = 20;
/** Run:ai's `numberOfSamples` goes up to 1,000. */
export const MAX_SAMPLES = 1000;

export interface MetricsWindowInput {
  start?: Date | null | undefined;
  end?: Date | null | undefined;
  samples?: number | null | undefined;
}

/** The rules of a window: 0..1000 samples, and a start before the end (which defaults to now). */
export const metricsWindow = z
  .object({
    start: z.date().nullish(),
    end: z.date().nullish(),
    samples: z
      .number()
      .int()
      .min(0, 'must be at least 0')
      .max(MAX_SAMPLES, `must be at most ${MAX_SAMPLES}`)
      .nullish(),
  })
  .nullish()
  .refine((w) => !w?.start || w.start.getTime() < (w.end ?? new Date()).getTime(), {
    message: 'start must be before end (end defaults to now)',
    path: ['start'],
  });

/**
 * Fills in the window's defaults from the request time. The rules above
 * have checked that a given start lies before the end.
 */
export function resolveWindow(window: MetricsWindowInput | null | undefined, now: Date) {
  const end = window?.end ?? now;
  const start = window?.start ?? new Date(end.getTime() - DEFAULT_WINDOW_MS);
  const samples = window?.samples ?? DEFAULT_SAMPLES;
  return { start, end, samples };
}

/** Names a window as its fields give it: fields with equal names resolve to one window, and share one call. */
export function windowName(window: MetricsWindowInput | null | undefined): string {
  return `${window?.start?.getTime() ?? ''}/${window?.end?.getTime() ?? ''}/${window?.samples ?? DEFAULT_SAMPLES}`;
}
