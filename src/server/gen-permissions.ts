/** Writes docs/permissions.md from the route table: `npx tsx src/server/gen-permissions.ts`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { operations } from '../operations.js';
import { permissionMatrix } from './permission-matrix.js';
import { routeTable } from './routes.js';
import { ROOT } from './test-harness.js';

writeFileSync(join(ROOT, 'docs/permissions.md'), permissionMatrix(routeTable(operations)));
