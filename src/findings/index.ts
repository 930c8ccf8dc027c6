export {
  type Evidence,
  type Finding,
  findingId,
  type P,
  P_VALUES,
  rankFindings,
  Slice,
  type StoredFinding,
  writeFindings,
} from './finding.js';
export { getFinding, ListFindingsParams, listFindings, listFindingsOperation } from './list.js';

import { listFindingsOperation } from './list.js';
export const operations = [listFindingsOperation] as const;
