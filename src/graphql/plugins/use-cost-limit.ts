import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { gatewayError } from '../../domain/errors.js';
import { analysisOf } from '../operation-analysis.js';
import type { OperationCost } from '../operation-cost.js';
import { type CallBudget, stateOf } from '../operation-state.js';
import { type OperationHook, refuse } from './operation-hooks.js';

/** The request extension that asks for the Run:ai call budget in the response's `extensions`. */
export const CALL_BUDGET_EXTENSION = 'upstreamCallBudget';

/** What the response tells a caller who asked: the calls predicted, the budget, and the calls made. */
export interface CallBudgetReport {
  predicted: number;
  limit: number;
  /** The calls the operation made (absent on an incremental delivery, whose later payloads make more). */
  made?: number;
}

/**
 * The cost limits by default (tuning knobs: docs/configuration.md). The
 * reference dashboard holds about 4,500 values and makes 52 Run:ai calls;
 * a 500-pool one holds 45,000.
 */
export const COST_LIMIT_DEFAULTS = {
  maxCost: 250_000,
  maxResponseSamples: 100_000,
  maxUpstreamCalls: 200,
} as const;

export interface CostLimits {
  maxCost: number;
  maxResponseSamples: number;
  maxUpstreamCalls: number;
}

function asked(context: unknown): boolean {
  const params = (context as { params?: { extensions?: Record<string, unknown> | null } }).params;
  return params?.extensions?.[CALL_BUDGET_EXTENSION] === true;
}

/** Why an operation of this cost may not run, or undefined when it may. */
function problemOf(cost: OperationCost, { maxCost, maxResponseSamples, maxUpstreamCalls }: CostLimits) {
  const { unpriced, repeated } = cost;
  if (unpriced) {
    return `\`${unpriced}\` is a list whose length no argument sets, and fields below it call Run:ai: its calls cannot be priced before it runs (maxUpstreamCalls). Select no such field below it, or ask for it through a field that pages.`;
  }
  if (repeated) {
    return `\`${repeated.field}\` may be asked ${repeated.allowed === 1 ? 'once' : `${repeated.allowed} times`} per operation, it is asked ${repeated.times} times: its answer comes from the schema alone, and repeating it repeats the schema.`;
  }
  if (cost.values > maxCost) {
    return `Query cost limit of ${maxCost} exceeded: the answer could hold ${cost.values} values. Ask for fewer items, fields or samples.`;
  }
  if (cost.samples > maxResponseSamples) {
    return `Metric sample limit of ${maxResponseSamples} exceeded: the answer could hold ${cost.samples} samples. Ask for fewer items, fields or samples.`;
  }
  if (cost.calls > maxUpstreamCalls) {
    return `Run:ai call budget of ${maxUpstreamCalls} exceeded: the operation could make ${cost.calls} calls to Run:ai. Ask for fewer pools, ids or distinct metrics windows, or page through them.`;
  }
  return undefined;
}

function reportOf(budget: CallBudget | undefined, made: boolean): CallBudgetReport | undefined {
  if (budget?.predicted === undefined) return undefined;
  const value: CallBudgetReport = { predicted: budget.predicted, limit: budget.limit };
  if (made) value.made = budget.made;
  return value;
}

/**
 * Refuses, before it runs, an operation whose answer could hold more than
 * `maxCost` values or `maxResponseSamples` metric samples, or that could
 * make more than `maxUpstreamCalls` Run:ai calls (for a subscription:
 * subscribing plus one event): QUERY_LIMIT_EXCEEDED (HTTP 400), naming the
 * limit. The cost comes from the operation's analysis (one walk, on the
 * coerced arguments, so a page size passed as a variable weighs what its
 * literal would; graphql-armor's cost limit reads only literals). The
 * prediction goes into the operation's call budget (whose runtime counter
 * is the safety net), the operation log, and, when the request's extensions
 * ask for it (`"upstreamCallBudget": true`), the response's extensions.
 */
export function useCostLimit(limits: CostLimits): Plugin {
  const check = (hook: OperationHook) => {
    const cost = analysisOf(hook.args)?.cost;
    if (!cost) return;
    const budget = stateOf(hook.args.contextValue)?.budget;
    if (budget) {
      budget.predicted = cost.calls;
      budget.perEvent = cost.perEvent;
    }
    const problem = problemOf(cost, limits);
    if (!problem) return;
    const overBudget = cost.calls > limits.maxUpstreamCalls;
    refuse(hook, [
      gatewayError('QUERY_LIMIT_EXCEEDED', problem, {
        extensions: overBudget
          ? { [CALL_BUDGET_EXTENSION]: { predicted: cost.calls, limit: limits.maxUpstreamCalls } }
          : {},
      }),
    ]);
  };
  return {
    onExecute(hook) {
      check(hook);
      if (!asked(hook.args.contextValue)) return;
      const budget = stateOf(hook.args.contextValue)?.budget;
      return {
        onExecuteDone({ result, setResult }) {
          if (!isAsyncIterable(result)) {
            const value = reportOf(budget, true);
            if (value)
              setResult({ ...result, extensions: { ...result.extensions, [CALL_BUDGET_EXTENSION]: value } });
            return;
          }
          let first = true;
          return {
            onNext({ result: payload, setResult: setPayload }) {
              if (!first) return;
              first = false;
              const value = reportOf(budget, false);
              if (value)
                setPayload({
                  ...payload,
                  extensions: { ...payload.extensions, [CALL_BUDGET_EXTENSION]: value },
                });
            },
          };
        },
      };
    },
    onSubscribe: check,
  };
}
