import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';
import type { IncrementalPayload } from './use-error-contract.js';

type Path = readonly (string | number)[];

/** Whether `value`, found at `at`, holds the field at `path` (its value, null included, has arrived). */
function holds(value: unknown, at: Path, path: Path): boolean {
  if (at.length > path.length || at.some((key, i) => path[i] !== key)) return false;
  let here = value;
  for (const key of path.slice(at.length)) {
    if (here === null || typeof here !== 'object' || !(key in here)) return false;
    here = (here as Record<string | number, unknown>)[key];
  }
  return true;
}

/** What each part of a payload brings, and where it sits: the first payload's data, or each incremental part's. */
function partsOf(payload: IncrementalPayload & { data?: unknown }): { value: unknown; at: Path }[] {
  if (!payload.incremental?.length) return [{ value: payload.data, at: [] }];
  return payload.incremental.map(({ data, items, path = [] }) =>
    Array.isArray(items)
      ? // Streamed items: items[i] sits at list index path.at(-1) + i.
        {
          value: Object.fromEntries(items.map((item, i) => [Number(path.at(-1)) + i, item])),
          at: path.slice(0, -1),
        }
      : { value: data, at: path },
  );
}

/**
 * Places each error with the part of the payload that brings its field: the
 * first payload's `errors`, or the `errors` of an incremental part (deferred
 * fragment, streamed items). Errors whose field has not arrived are returned
 * to wait for a later payload; the last payload takes them all.
 */
function place<P extends IncrementalPayload & { data?: unknown; hasNext?: boolean }>(
  payload: P,
  errors: GraphQLError[],
): { payload: P; waiting: GraphQLError[] } {
  const parts = partsOf(payload);
  const owners = errors.map((error) => {
    const owner = parts.findIndex(({ value, at }) => holds(value, at, error.path ?? []));
    return owner === -1 && payload.hasNext === false ? 0 : owner;
  });
  const ownedBy = (i: number) => errors.filter((_, e) => owners[e] === i);
  const waiting = ownedBy(-1);
  if (!payload.incremental?.length) {
    const own = ownedBy(0);
    return {
      payload: own.length ? { ...payload, errors: [...(payload.errors ?? []), ...own] } : payload,
      waiting,
    };
  }
  const incremental = payload.incremental.map((part, i) => {
    const own = ownedBy(i);
    return own.length ? { ...part, errors: [...(part.errors ?? []), ...own] } : part;
  });
  return { payload: { ...payload, incremental }, waiting };
}

/**
 * Appends the errors resolvers deferred (`ctx.deferredErrors`) to the
 * result. GraphQL gives a field either a value or an error; a partial
 * metrics answer needs both: the series that came, and an error naming the
 * types that did not. Under `@defer`/`@stream` each error goes with the
 * payload that brings its field.
 */
export function useDeferredErrors(): Plugin<GatewayContext> {
  return {
    onExecute() {
      return {
        onExecuteDone({ args, result, setResult }) {
          const deferred = (args.contextValue as Partial<GatewayContext>).deferredErrors;
          if (!deferred) return;
          if (!(Symbol.asyncIterator in result)) {
            if (deferred.length)
              setResult({ ...result, errors: [...(result.errors ?? []), ...(deferred as never[])] });
            return;
          }
          let waiting: GraphQLError[] = [];
          return {
            onNext({ result: payload, setResult: setPayload }) {
              const errors = [...waiting, ...(deferred.splice(0) as GraphQLError[])];
              if (errors.length === 0) return;
              const placed = place(payload, errors);
              waiting = placed.waiting;
              setPayload(placed.payload);
            },
          };
        },
      };
    },
  };
}
