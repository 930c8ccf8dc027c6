import { importOperation, listOperation, setOperation } from './catalogue.js';
import { impactOperation } from './impact.js';

export { listPolicies, POLICIES_TABLE, type Policy, parseCatalogue } from './catalogue.js';
export { getImpact, ImpactParams, type ImpactResult, type PolicyImpact } from './impact.js';

export const operations = [listOperation, importOperation, setOperation, impactOperation] as const;
