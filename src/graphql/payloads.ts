import type { GraphQLError } from 'graphql';

type Path = readonly (string | number)[];

/**
 * A payload of an incremental delivery (`@defer`, `@stream`) in the shape yoga's executor sends
 * (graphql-js 17 alpha): the first has `data`, each later one `incremental` parts, the deferred
 * `data` or streamed `items` at a `path`, with the errors raised inside them.
 */
export interface IncrementalPayload {
  data?: unknown;
  hasNext?: boolean;
  errors?: readonly GraphQLError[] | undefined;
  incremental?:
    | readonly {
        data?: unknown;
        items?: unknown;
        path?: Path | undefined;
        errors?: readonly GraphQLError[] | undefined;
      }[]
    | undefined;
}

/** The payload with `map` applied to its top-level errors and to those of each incremental part. */
export function mapPayloadErrors<P extends IncrementalPayload>(
  payload: P,
  map: (errors: readonly GraphQLError[]) => GraphQLError[],
): P {
  const top = payload.errors?.length ? { errors: map(payload.errors) } : {};
  if (!payload.incremental?.some((part) => part.errors?.length)) {
    return payload.errors?.length ? { ...payload, ...top } : payload;
  }
  return {
    ...payload,
    ...top,
    incremental: payload.incremental.map((part) =>
      part.errors?.length ? { ...part, errors: map(part.errors) } : part,
    ),
  };
}

/** A payload's errors: the top-level ones, then those of its incremental parts. */
export function errorsOf(payload: IncrementalPayload): GraphQLError[] {
  return [...(payload.errors ?? []), ...(payload.incremental ?? []).flatMap((part) => part.errors ?? [])];
}

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
function partsOf(payload: IncrementalPayload): { value: unknown; at: Path }[] {
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
export function placeErrors<P extends IncrementalPayload>(
  payload: P,
  errors: readonly GraphQLError[],
): { payload: P; waiting: GraphQLError[] } {
  const parts = partsOf(payload);
  const owners = errors.map((error) => {
    const owner = parts.findIndex(({ value, at }) => holds(value, at, error.path ?? []));
    return owner === -1 && payload.hasNext !== true ? 0 : owner;
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
