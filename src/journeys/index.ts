export { getFunnel } from './funnel.js';
