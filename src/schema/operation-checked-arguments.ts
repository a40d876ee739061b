import SchemaBuilder, {
  BasePlugin,
  type PothosInputFieldConfig,
  type PothosOutputFieldConfig,
  type SchemaTypes,
} from '@pothos/core';

const pluginName = 'operationCheckedArguments';
/** Marks the arguments of a field whose arguments are checked once per operation. */
const CHECKED = 'checkedOncePerOperation';

/**
 * Fields that declare `extensions.argumentsSchema` have their arguments
 * checked once per operation, before execution, by the early-validation
 * plugin (src/plugins/use-early-validation.ts). The zod plugin would also
 * wrap their resolver in an asynchronous zod parse per call, because an
 * input-object argument always gets a validator, even one with no rules:
 * 150 parses and 300 KB of garbage per dashboard that find nothing new.
 * Listed before the zod plugin (Pothos runs these hooks last plugin first),
 * this one removes those arguments' validators, so the resolver runs
 * unwrapped. The schema in `argumentsSchema` must therefore cover every
 * rule of those arguments.
 */
export class OperationCheckedArgumentsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    if (!fieldConfig.extensions?.['argumentsSchema']) return fieldConfig;
    const args = Object.fromEntries(
      Object.entries(fieldConfig.args).map(([name, arg]) => [
        name,
        { ...arg, extensions: { ...arg.extensions, [CHECKED]: true } },
      ]),
    );
    return { ...fieldConfig, args };
  }

  override onInputFieldConfig(fieldConfig: PothosInputFieldConfig<Types>): PothosInputFieldConfig<Types> {
    if (fieldConfig.kind !== 'Arg' || !fieldConfig.extensions?.[CHECKED]) return fieldConfig;
    const { validator: _unused, ...extensions } = fieldConfig.extensions;
    return { ...fieldConfig, extensions };
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      operationCheckedArguments: OperationCheckedArgumentsPlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin(pluginName, OperationCheckedArgumentsPlugin);

export default pluginName;
