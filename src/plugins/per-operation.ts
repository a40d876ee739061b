import type { DocumentNode, GraphQLSchema } from 'graphql';

type OperationFn<T> = (
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
) => T;

/**
 * Memoises a static analysis of one operation of a parsed document. Yoga
 * hands out the same document object for the same query text, so the work
 * is done once per query; the entry goes when the document leaves yoga's
 * cache. The gateway has one schema, so it is not part of the key.
 */
export function perOperation<T>(compute: OperationFn<T>): OperationFn<T> {
  const byDocument = new WeakMap<DocumentNode, Map<string, T>>();
  return (schema, document, operationName) => {
    let byOperation = byDocument.get(document);
    if (!byOperation) {
      byOperation = new Map();
      byDocument.set(document, byOperation);
    }
    const key = operationName ?? '';
    if (byOperation.has(key)) return byOperation.get(key) as T;
    const value = compute(schema, document, operationName);
    byOperation.set(key, value);
    return value;
  };
}
