import { type GraphQLError, getOperationAST } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Logger } from '../../telemetry/logger.js';
import type { OperationOutcome, PrometheusMetrics } from '../../telemetry/prometheus.js';
import { isUpstreamError } from '../../upstream/errors.js';
import type { GatewayContext } from '../context.js';
import { codeOf, logLevelOf } from '../errors.js';
import { analysisOf } from '../operation-analysis.js';
import { stateOf } from '../operation-state.js';
import { errorsOf } from '../payloads.js';

/** An operation refused before it ran (no `data`) is `invalid`, like one that fails validation. */
function outcomeOf(result: { data?: unknown; errors?: readonly unknown[] }): OperationOutcome {
  if (!result.errors?.length) return 'success';
  if (!('data' in result)) return 'invalid';
  return result.data === null ? 'error' : 'partial';
}

const SEVERITY = { info: 0, warn: 1, error: 2 } as const;

/** Operation names are the client's to choose: a log line keeps this many characters of one. */
const MAX_LOGGED_NAME = 100;

/** An operation name as logs and traces show it: at most {@link MAX_LOGGED_NAME} characters. */
export function shortened<N extends string | null>(name: N): N {
  return (name !== null && name.length > MAX_LOGGED_NAME ? `${name.slice(0, MAX_LOGGED_NAME)}…` : name) as N;
}

/** The level of an operation's line: info, unless an error is Run:ai's (warn) or the gateway's own (error). */
function levelOf(codes: string[] | undefined): keyof typeof SEVERITY {
  let level: keyof typeof SEVERITY = 'info';
  for (const code of codes ?? []) {
    const own = logLevelOf(code);
    if (SEVERITY[own] > SEVERITY[level]) level = own;
  }
  return level;
}

/**
 * One JSON log line and one metric sample per GraphQL operation: request id,
 * operation name, duration, outcome, the code of each error and the number
 * of Run:ai calls it made.
 * Documents that fail validation (limits included) count as `invalid`.
 */
export function useOperationLog(log: Logger, metrics: PrometheusMetrics | undefined): Plugin<GatewayContext> {
  // The line has a fixed set of fields, none of them a credential: skip the redaction pass
  // the gateway's logger makes over every line (a tenth of the cost of writing it).
  const accessLog = log.child({}, { redact: [] });
  return {
    onValidate({ params }) {
      const started = performance.now();
      return ({ valid }) => {
        if (valid) return;
        const name = getOperationAST(params.documentAST, params.options?.['operationName'])?.name?.value;
        metrics?.operation(name, 'invalid', (performance.now() - started) / 1000);
      };
    },
    onExecute({ args }) {
      const started = performance.now();
      const ctx = args.contextValue;
      const state = stateOf(ctx);
      const operation = analysisOf(args)?.name ?? null;
      const record = (result: { data?: unknown; errors?: readonly GraphQLError[] }) => {
        const seconds = (performance.now() - started) / 1000;
        const outcome = outcomeOf(result);
        metrics?.operation(operation, outcome, seconds, outcome !== 'invalid' && ctx.token !== undefined);
        const errors = result.errors?.map(codeOf);
        // Run:ai's words on its own failures: withheld from the caller, kept here under the request id.
        const upstreamFailures = result.errors?.flatMap((error) => {
          const cause = error.originalError;
          return isUpstreamError(cause) && cause.status !== undefined && cause.status >= 500
            ? [{ operation: cause.operation, status: cause.status, message: cause.upstreamMessage ?? null }]
            : [];
        });
        accessLog[levelOf(errors)](
          {
            requestId: ctx.requestId,
            operation: shortened(operation),
            outcome,
            durationMs: Math.round(seconds * 1e4) / 10,
            upstreamCalls: state?.upstreamCalls ?? 0,
            ...(state?.budget.predicted !== undefined
              ? { upstreamCallsPredicted: state.budget.predicted }
              : {}),
            errors,
            ...(upstreamFailures?.length ? { upstreamFailures } : {}),
          },
          'graphql operation',
        );
      };
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result)) return record(result);
          // @defer/@stream: one line when the last payload is out (or the client left), over all payloads.
          let data: unknown;
          const errors: GraphQLError[] = [];
          return {
            onNext({ result: payload }) {
              if ('data' in payload) data = payload.data;
              errors.push(...errorsOf(payload));
            },
            onEnd: () => record({ data, errors: errors.length > 0 ? errors : undefined }),
          };
        },
      };
    },
  };
}
