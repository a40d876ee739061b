import type { ExecutionResult, GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';
import { toContract } from '../errors.js';
import { stateOf } from '../operation-state.js';
import { type IncrementalPayload, mapPayloadErrors, placeErrors } from '../payloads.js';

type Shaped = ExecutionResult & IncrementalPayload;

/**
 * Shapes one payload of an operation: the errors resolvers reported next to
 * their data (`report.partialResult`: a metrics answer Run:ai could compute
 * only in part) go with the part that brings their field, and every error,
 * the incremental parts' included, is put in the contract.
 */
function shaper(context: Partial<GatewayContext>) {
  let waiting: GraphQLError[] = [];
  const state = stateOf(context);
  return <P extends Shaped>(payload: P): P => {
    const reported = state?.takePartialErrors() ?? [];
    let placed = payload;
    if (waiting.length || reported.length) {
      ({ payload: placed, waiting } = placeErrors(payload, [...waiting, ...reported]));
    }
    return mapPayloadErrors(placed, (errors) => toContract(errors, context.requestId));
  };
}

/**
 * The error contract on every transport (HTTP, SSE and graphql-ws all run
 * their operations through envelop): each result of a query, mutation or
 * subscription, and each payload of `@defer`/`@stream` and of an event
 * stream, leaves with its errors masked, coded, with their status and the
 * request id (src/graphql/errors.ts `toContract`), and with the errors
 * reported next to partial data. Listed before the checks that refuse an
 * operation, so their refusals are shaped too.
 */
export function useErrorContract(): Plugin<GatewayContext> {
  /** Shapes a result, or returns the hook that shapes each payload of a stream. */
  const shapeAll = (
    context: GatewayContext,
    result: ExecutionResult | AsyncIterable<ExecutionResult>,
    setResult: (result: ExecutionResult) => void,
  ) => {
    const shape = shaper(context);
    if (!isAsyncIterable(result)) {
      setResult(shape(result as Shaped));
      return undefined;
    }
    return {
      onNext({
        result: payload,
        setResult: setPayload,
      }: {
        result: ExecutionResult;
        setResult: (p: ExecutionResult) => void;
      }) {
        setPayload(shape(payload as Shaped));
      },
    };
  };
  return {
    onExecute: () => ({
      onExecuteDone: ({ args, result, setResult }) => shapeAll(args.contextValue, result, setResult),
    }),
    onSubscribe: () => ({
      onSubscribeResult: ({ args, result, setResult }) => shapeAll(args.contextValue, result, setResult),
    }),
  };
}
