export { resolveIdentities } from './identities.js';
export {
  type ImportOptions,
  type ImportReport,
  importRecords,
  isKind,
  type RowError,
} from './import-records.js';
export {
  CASE_EVENT_TYPES,
  FEEDBACK_KINDS,
  type FieldSpec,
  type FieldType,
  KIND_SPECS,
  KINDS,
  type Kind,
  type KindSpec,
  parseIsoTimestamp,
  RECORD_SCHEMAS,
  SCORE_RANGE,
} from './schemas.js';
