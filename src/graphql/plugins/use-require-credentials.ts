import type { Plugin } from 'graphql-yoga';
import { gatewayError } from '../../domain/errors.js';
import { SERVED_TO_ROUTER } from '../../schema/served-to-router.js';
import type { GatewayContext } from '../context.js';
import { analysisOf } from '../operation-analysis.js';
import { stateOf } from '../operation-state.js';
import { type OperationHook, refuse } from './operation-hooks.js';

/**
 * One rule for callers without credentials: an operation that needs Run:ai
 * is refused before it runs with UNAUTHENTICATED (HTTP 401, no `data`),
 * whatever its type. Introspection needs no credentials, so GraphiQL and
 * code generators can read the schema; nor does `_service` for a request
 * that carried the federation router's secret. In demo mode and with
 * service credentials every caller has a token, unless the one it sent is
 * refused: then it is refused here too.
 */
export function useRequireCredentials(): Plugin<GatewayContext> {
  const check = (hook: OperationHook<GatewayContext>) => {
    const context = hook.args.contextValue;
    if (context.token !== undefined) return;
    const analysis = analysisOf(hook.args);
    // Every root field outside introspection reaches Run:ai, but the router's own with its secret.
    const needsRunai = analysis?.fields.some(
      ({ field, root }) => root && !(context.asRouter && field.extensions[SERVED_TO_ROUTER] === true),
    );
    if (!needsRunai) return;
    const problem = stateOf(context)?.credentialsProblem;
    const message = problem
      ? `Credentials refused: ${problem}.`
      : 'No credentials: send `Authorization: Bearer <token>` with a Run:ai token.';
    refuse(hook, [gatewayError('UNAUTHENTICATED', message)]);
  };
  return { onExecute: check, onSubscribe: check };
}
