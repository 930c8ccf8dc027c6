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
export { FINDING_MEMBERS, type FindingMember, findingMembers, writeFindingMembers } from './members.js';

import { listFindingsOperation } from './list.js';
export const operations = [listFindingsOperation] as const;
