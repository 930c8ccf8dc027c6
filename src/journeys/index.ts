export { getFunnel } from './funnel.js';
export { getJourneyMap } from './map.js';
export { getPaths } from './paths.js';
