import { raw } from '../sql.js';
import type { Migration } from './types.js';

/**
 * Incremental identity stitching (docs/import.md): every node of the identity graph (an alias or a
 * customer id seen in `identity_links`) with its connected component, labelled by the component's
 * smallest node key (`type || chr(31) || alias`). An import or undo recomputes only the components
 * its links touch. No engine key: the stitcher rewrites a component's rows as a whole, and an ART
 * index would be maintained row by row on bulk loads. A workspace whose links predate this table is
 * rebuilt once by the first stitch (src/ingest/identities.ts).
 */
export const identityNodes: Migration = {
  version: 12,
  name: 'identity-nodes',
  up: [
    raw(`CREATE TABLE identity_nodes (
      node_type VARCHAR NOT NULL,
      node VARCHAR NOT NULL,
      component VARCHAR NOT NULL
    )`),
  ],
};
