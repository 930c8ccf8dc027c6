/**
 * Journey analytics (issue 6): the live journey map, ordered funnels, paths, pain points, moments of
 * truth and the assumed-vs-observed check. All of it is SQL inside DuckDB; statistics on aggregates.
 */
import { checkOperation } from './check.js';
import { emotionOperation } from './emotion.js';
import { funnelOperation } from './funnel.js';
import { mapOperation } from './map.js';
import { momentsOperation } from './moments.js';
import { painPointsOperation } from './pain-points.js';
import { pathsOperation } from './paths.js';
import { personaLanesOperation } from './persona-lanes.js';
import { stageTrendOperation } from './stage-trend.js';

export {
  CheckParams,
  type CheckResult,
  checkJourney,
  Drawing,
  parseDrawing,
  type StageCheck,
} from './check.js';
export {
  type Emotion,
  type EmotionFigure,
  EmotionParams,
  type EmotionResult,
  type EmotionStage,
  type EmotionTouchpoint,
  getEmotion,
} from './emotion.js';
export { FunnelParams, type FunnelResult, type FunnelStep, getFunnel } from './funnel.js';
export { type JourneyDef, loadJourney, PERSON } from './journey.js';
export { getJourneyMap, type MapCell, MapParams, type MapResult, type TouchpointPeople } from './map.js';
export {
  DEFAULT_BAD_OUTCOMES,
  getMoments,
  type Moment,
  MomentsParams,
  type MomentsResult,
} from './moments.js';
export { getPainPoints, PainPointsParams, type PainPointsResult } from './pain-points.js';
export { getPaths, PathsParams, type PathsResult } from './paths.js';
export {
  getPersonaLanes,
  type LaneStage,
  type PersonaLane,
  PersonaLanesParams,
  type PersonaLanesResult,
  personaLanesOperation,
} from './persona-lanes.js';
export type { Rate } from './rate.js';
export {
  type DatedEvent,
  getStageTrend,
  type StagePoint,
  type StageTrend,
  StageTrendParams,
  type StageTrendResult,
} from './stage-trend.js';

export const operations = [
  mapOperation,
  funnelOperation,
  pathsOperation,
  painPointsOperation,
  momentsOperation,
  checkOperation,
  emotionOperation,
  personaLanesOperation,
  stageTrendOperation,
] as const;
