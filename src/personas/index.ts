export { type AttributeSpace, attributeSpace } from './attributes.js';
export { type BoardCard, type BoardResult, boardOperation, getBoard, type PainPoint } from './board.js';
export {
  applyRules,
  compareSet,
  compareSetOperation,
  importAssignments,
  importOperation,
  listSets,
  type RulesSummary,
  rulesOperation,
  type SetComparison,
  type SetSummary,
  type SetsResult,
  setsOperation,
} from './bring-your-own.js';
export { getPersonaCard, type PersonaCard, ShowParams, showOperation } from './cards.js';
export {
  CompareSegmentsParams,
  type CompareSegmentsResult,
  compareSegments,
  compareSegmentsOperation,
  etaSquared,
} from './compare.js';
export { BEHAVIOUR_DESCRIPTORS, type Distinction, descriptionOf, quote } from './describe.js';
export {
  buildSpace,
  DiscoverParams,
  type DiscoverResult,
  discoverOperation,
  discoverPersonas,
  MATCH_MIN_JACCARD,
} from './discover.js';
export {
  ASSISTED_CHANNELS,
  type CustomerFeatures,
  computeFeatures,
  type FeatureRow,
  type FeatureTable,
  featuresOperation,
  getCustomerFeatures,
} from './features.js';
export {
  assignNewCustomers,
  assignOperation,
  CUSTOMER_PERSONAS,
  type CustomerPersonaRow,
  currentPersonas,
  LATEST_RUN,
  listOperation,
  listPersonas,
  renameOperation,
  renamePersona,
} from './runs.js';

import { boardOperation } from './board.js';
import { compareSetOperation, importOperation, rulesOperation, setsOperation } from './bring-your-own.js';
import { showOperation } from './cards.js';
import { compareSegmentsOperation } from './compare.js';
import { discoverOperation } from './discover.js';
import { featuresOperation } from './features.js';
import { assignOperation, listOperation, renameOperation } from './runs.js';

export const operations = [
  listOperation,
  discoverOperation,
  showOperation,
  renameOperation,
  assignOperation,
  featuresOperation,
  compareSegmentsOperation,
  boardOperation,
  importOperation,
  rulesOperation,
  compareSetOperation,
  setsOperation,
] as const;
