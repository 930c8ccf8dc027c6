export {
  DEFAULT_CUSTOMERS,
  DemoParams,
  type GenerateResult,
  generateDemo,
  generateDemoOperation,
} from './generate.js';
export { DemoManifest, Plant, plantsFor, readManifest, sliceMatches } from './manifest.js';

import { generateDemoOperation } from './generate.js';
export const operations = [generateDemoOperation] as const;
