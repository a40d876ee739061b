import { graphql } from './gql/index.js';

/** The table's first load: every pool, its phase, label and latest GPU utilisation. */
export const PoolBoard = graphql(`
  query PoolBoard {
    nodePools(first: 100) {
      edges {
        node {
          id
          name
          clusterName
          phase
          labelValue
          gpu: metrics(types: [GPU_UTILIZATION], window: { samples: 1 }) { series { latest { value } } }
        }
      }
    }
  }
`);

/** What keeps the table live: every pool created, changed or deleted, from any source. */
export const PoolBoardChanges = graphql(`
  subscription PoolBoardChanges {
    nodePoolChanged {
      kind
      nodePoolId
      missedEvents
      nodePool { id name clusterName phase labelValue }
    }
  }
`);
