export { getFunnel } from './funnel.js';
export { getPaths } from './paths.js';
