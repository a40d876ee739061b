import {
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLSchema,
  getArgumentValues,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ZodType } from 'zod';
import { badUserInput, type FieldProblem } from '../resolvers/errors.js';
import { perOperation } from './per-operation.js';

interface ValidatedFieldOptions {
  validate?: { schema?: ZodType };
}

interface Candidate {
  node: FieldNode;
  field: GraphQLField<unknown, unknown>;
  schema: ZodType;
}

/** The fields of one operation that declare an argument schema; found once per parsed document. */
const candidatesOf = perOperation((schema, document, operationName): Candidate[] => {
  const typeInfo = new TypeInfo(schema);
  const candidates: Candidate[] = [];
  let operations = 0;
  visit(document, { OperationDefinition: () => void operations++ });
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition(node) {
        // Only the operation being executed counts.
        if (operations > 1 && node.name?.value !== operationName) return false;
        return undefined;
      },
      Field(node) {
        const field = typeInfo.getFieldDef();
        const options = field?.extensions?.['pothosOptions'] as ValidatedFieldOptions | undefined;
        const zodSchema =
          (field?.extensions?.['argumentsSchema'] as ZodType | undefined) ?? options?.validate?.schema;
        if (field && zodSchema && node.arguments?.length) candidates.push({ node, field, schema: zodSchema });
      },
    }),
  );
  return candidates;
});

/**
 * Checks, before execution, the arguments of every selected field that
 * declares a zod schema for them: `extensions.argumentsSchema` (checked
 * here only), or a Pothos `validate.schema` (Pothos keeps field options in
 * `extensions.pothosOptions`). Nested fields such as `NodePool.metrics`
 * otherwise validate only after their parent resolved, which would spend
 * an upstream call on a request that is bound to fail. The fields to check
 * are found once per parsed document (yoga caches parsed documents).
 */
export function findEarlyProblems(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
): ReturnType<typeof badUserInput>[] {
  const errors: ReturnType<typeof badUserInput>[] = [];
  for (const { node, field, schema: zodSchema } of candidatesOf(schema, document, operationName)) {
    let args: Record<string, unknown>;
    try {
      args = getArgumentValues(field, node, variables ?? {});
    } catch {
      continue; // graphql-js reports coercion errors itself
    }
    const parsed = zodSchema.safeParse(args);
    if (parsed.success) continue;
    const fields: FieldProblem[] = parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    }));
    const where = node.alias?.value ?? node.name.value;
    const detail = fields.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join('; ');
    errors.push(badUserInput(`Invalid input for ${where}: ${detail}`, fields, [node]));
  }
  return errors;
}

/** Yoga plugin running {@link findEarlyProblems} before execution; a problem stops the operation. */
export function useEarlyValidation(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const errors = findEarlyProblems(
        args.schema,
        args.document,
        args.variableValues ?? undefined,
        args.operationName,
      );
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
  };
}
