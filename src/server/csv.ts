/** The server's CSV answers use the one CSV writer of every edge (src/core/csv.ts). */
export { toCsv } from '../core/csv.js';
