import { analyzeTextOperation } from './analyze-text.js';
import { commentsOperation } from './comments.js';
import { driversOperation } from './drivers.js';
import { followUpOperations } from './follow-ups.js';
import { scoresOperation } from './scores.js';
import { sentimentOperations } from './sentiment-ops.js';
import { answerOperation } from './survey-answer.js';
import { surveyOperations } from './surveys.js';
import { taxonomyOperations } from './taxonomy-ops.js';
import { themeTrendOperation } from './theme-trend.js';
import { themesOperation } from './themes.js';

export {
  changeDirection,
  isBadAnswer,
  isGoodAnswer,
  isScoreKind,
  meanBand,
  SCORE_KINDS,
  SCORE_SCALES,
  type ScoreBand,
  type ScoreKind,
  type ScoreScale,
  scaleSpan,
  scoreScale,
} from '../core/score-scales.js';
export { type AnalysisSummary, analyzeWorkspace, ensureAnalysis } from './analyze.js';
export { type AnalyzeTextResult, analyzeText } from './analyze-text.js';
export { type CommentItem, type CommentsResult, listComments } from './comments.js';
export { type Driver, type DriversResult, getDrivers } from './drivers.js';
export {
  addNote,
  assign,
  CLOSE_WITHIN_HOURS,
  close,
  createFollowUps,
  type FollowUp,
  getFollowUp,
  listFollowUps,
} from './follow-ups.js';
export {
  blendedScorer,
  lexiconScorer,
  type Scorer,
  type Sentiment,
  type SentimentLabel,
  shippedModel,
  shippedPolarity,
} from './scorer.js';
export { getScores, type ScoreRow, type ScoresResult } from './scores.js';
export {
  loadSentimentRecord,
  type SentimentRecord,
  type SentimentVersion,
  shippedVersion,
} from './sentiment-version.js';
export {
  recordSurveyAnswers,
  SurveyAnswerInput,
  type SurveySubmission,
  type SurveySubmissionResult,
} from './survey-answer.js';
export {
  defineSurvey,
  getSurvey,
  listSurveys,
  type Survey,
  type SurveyAnswer,
  type ValidatedAnswer,
  validateSurveyAnswer,
} from './surveys.js';
export {
  loadTaxonomy,
  saveTaxonomy,
  type Taxonomy,
  type TaxonomyTheme,
  taxonomyFromYaml,
  taxonomyToYaml,
} from './taxonomy.js';
export { getThemeTrend, type ThemeTrendResult } from './theme-trend.js';
export { getThemes, type ThemeStats, type ThemesResult } from './themes.js';

export const operations = [
  scoresOperation,
  themesOperation,
  themeTrendOperation,
  commentsOperation,
  driversOperation,
  ...followUpOperations,
  analyzeTextOperation,
  ...taxonomyOperations,
  ...sentimentOperations,
  ...surveyOperations,
  answerOperation,
] as const;
