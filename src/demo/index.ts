export { type DemoExperiment, seedDemoExperiments } from './experiments.js';
export {
  DEFAULT_CUSTOMERS,
  DemoParams,
  type GenerateResult,
  generateDemo,
  generateDemoOperation,
} from './generate.js';
export { DemoManifest, manifestOperation, Plant, plantsFor, readManifest, sliceMatches } from './manifest.js';

import { generateDemoOperation } from './generate.js';
import { manifestOperation } from './manifest.js';

export const operations = [generateDemoOperation, manifestOperation] as const;
