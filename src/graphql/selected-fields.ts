import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLField,
  GraphQLIncludeDirective,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getDirectiveValues,
  type InlineFragmentNode,
  isInterfaceType,
  isObjectType,
  Kind,
  type SelectionSetNode,
} from 'graphql';

type Field = GraphQLField<unknown, unknown>;

/** One field a selection set selects: its node in the document and its definition. */
export interface SelectedField {
  node: FieldNode;
  field: Field;
  /**
   * The `@defer` fragment (inline or spread) the field is delivered in, when it is deferred: fields of one
   * deferred fragment execute together, after those outside it.
   */
  deferredIn?: object | undefined;
}

/** What walking an operation's selections needs: the schema, the document's fragments, the coerced variables. */
export interface Walk {
  schema: GraphQLSchema;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

export function walkOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
): Walk {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return { schema, fragments, variables };
}

function included(walk: Walk, node: FieldNode | { directives?: FieldNode['directives'] }): boolean {
  if (!node.directives?.length) return true;
  const at = node as FieldNode;
  return (
    getDirectiveValues(GraphQLSkipDirective, at, walk.variables)?.['if'] !== true &&
    getDirectiveValues(GraphQLIncludeDirective, at, walk.variables)?.['if'] !== false
  );
}

/**
 * The fields one selection set selects on `typeName`, through its inline
 * fragments and fragment spreads, honouring `@skip`/`@include` as execution
 * will. Introspection fields (`__schema`, `__type`, `__typename`) are not
 * listed. The document has passed validation: fragments do not cycle.
 */
export function* fieldsIn(
  walk: Walk,
  typeName: string,
  selectionSet: SelectionSetNode,
  deferredIn?: object,
): Generator<SelectedField> {
  const type = walk.schema.getType(typeName);
  for (const selection of selectionSet.selections) {
    if (!included(walk, selection)) continue;
    if (selection.kind === Kind.FIELD) {
      const field =
        isObjectType(type) || isInterfaceType(type) ? type.getFields()[selection.name.value] : undefined;
      if (field) yield { node: selection, field, deferredIn };
      continue;
    }
    const deferred = isDeferred(walk, selection) ? selection : deferredIn;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      yield* fieldsIn(
        walk,
        selection.typeCondition?.name.value ?? typeName,
        selection.selectionSet,
        deferred,
      );
    } else {
      const fragment = walk.fragments.get(selection.name.value);
      if (fragment) yield* fieldsIn(walk, fragment.typeCondition.name.value, fragment.selectionSet, deferred);
    }
  }
}

/** Whether a fragment carries `@defer` (without `if: false`). */
function isDeferred(walk: Walk, fragment: InlineFragmentNode | FragmentSpreadNode): boolean {
  const directive = fragment.directives?.find((d) => d.name.value === 'defer');
  if (!directive) return false;
  const condition = directive.arguments?.find((a) => a.name.value === 'if')?.value;
  if (!condition) return true;
  if (condition.kind === Kind.BOOLEAN) return condition.value;
  if (condition.kind === Kind.VARIABLE) return walk.variables[condition.name.value] !== false;
  return true;
}

/**
 * The names of an operation's root fields, introspection's included (`__schema`, `__type`), through its
 * fragments and honouring `@skip`/`@include`: one name per selection, so aliases repeat it.
 */
export function* rootFieldNames(walk: Walk, selectionSet: SelectionSetNode): Generator<string> {
  for (const selection of selectionSet.selections) {
    if (!included(walk, selection)) continue;
    if (selection.kind === Kind.FIELD) yield selection.name.value;
    else if (selection.kind === Kind.INLINE_FRAGMENT) yield* rootFieldNames(walk, selection.selectionSet);
    else {
      const fragment = walk.fragments.get(selection.name.value);
      if (fragment) yield* rootFieldNames(walk, fragment.selectionSet);
    }
  }
}
