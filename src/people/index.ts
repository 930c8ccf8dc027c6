import { enpsOperation } from './enps.js';
import { linkOperation } from './link.js';
import { pulseOperation } from './pulse.js';
import { settingsOperation } from './settings.js';

export {
  type AnonAnswer,
  type LatticeCell,
  nestedDifferences,
  suppressLattice,
} from './anonymity.js';
export { EnpsParams, type EnpsResult, getEnps } from './enps.js';
export { getLink, LEVER_QUESTIONS, LinkParams, type LinkResult, type TeamLink } from './link.js';
export { getPulse, PULSE_QUESTIONS, type PulseCell, PulseParams, type PulseResult } from './pulse.js';
export { PeopleSettings, readPeopleSettings } from './settings.js';

export const operations = [pulseOperation, enpsOperation, linkOperation, settingsOperation] as const;
