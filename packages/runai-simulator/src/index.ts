export { simulatorOptionsFromEnv } from './env.js';
export { DISTRIBUTION_RANGES } from './metrics.js';
export { DEFAULT_POOL_LABEL, SEED_CLUSTER_IDS, SEED_CLUSTERS } from './seed.js';
export { createSimulator, TOKEN_PATH } from './simulator.js';
export { DEFAULT_SERVICE_CLIENTS, DEFAULT_TOKENS } from './tokens.js';
export type {
  FaultMatch,
  RecordedRequest,
  ServiceClient,
  Simulator,
  SimulatorFaults,
  SimulatorOptions,
  TokenEntry,
} from './types.js';
