export { getFunnel } from './funnel.js';
export { getJourneyMap } from './map.js';
export { getMoments } from './moments.js';
export { getPainPoints } from './pain-points.js';
export { getPaths } from './paths.js';
