import { builder } from './builder.js';
import './node-pool.js';
import './metrics.js';
import './legacy-node-pool.js';
import './query.js';
import './errors.js';
import './mutation.js';
import './subscription.js';

/** The executable GraphQL schema of the gateway. */
export const schema = builder.toSchema({ sortSchema: false });
