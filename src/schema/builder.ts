import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import ZodPlugin from '@pothos/plugin-zod';
import { DateTimeResolver, JSONObjectResolver, NonEmptyStringResolver, UUIDResolver } from 'graphql-scalars';
import type { GatewayContext } from '../context.js';

/**
 * The Pothos builder: configuration only (plugins, scalars, context type).
 * Plugin order follows the Pothos READMEs: errors before dataloader.
 */
export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    UUID: { Input: string; Output: string };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
    NonEmptyString: { Input: string; Output: string };
  };
}>({
  plugins: [ErrorsPlugin, ZodPlugin, RelayPlugin, DataloaderPlugin, SimpleObjectsPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeTypeOptions: { description: 'An object with a globally unique id, refetchable with `node(id:)`.' },
    pageInfoTypeOptions: { description: 'Where a page of a connection sits in the whole list.' },
  },
  errors: { defaultTypes: [] },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('UUID', UUIDResolver);
builder.addScalarType('JSONObject', JSONObjectResolver);
builder.addScalarType('NonEmptyString', NonEmptyStringResolver);

builder.queryType({ description: 'Reads of node pools and their metrics.' });
