export {
  type IdentityResult,
  rebuildIdentities,
  type StitchWork,
  stitchIdentities,
} from './identities.js';
export { type DryRunReport, type FileImportOptions, importFile } from './import-file.js';
export {
  type ImportOptions,
  type ImportReport,
  importRecords,
  isKind,
  type RowError,
} from './import-records.js';
export { type MappingSpec, proposeMapping, readMappingFile, toStrptime } from './mapping.js';
export { type FileFormat, importOperations } from './operations.js';
export {
  CASE_EVENT_TYPES,
  type CaseEventType,
  FEEDBACK_KINDS,
  type FieldSpec,
  type FieldType,
  KIND_SPECS,
  KINDS,
  type Kind,
  type KindSpec,
  RECORD_SCHEMAS,
  SCORE_RANGE,
  settleUnknownFields,
  UNKNOWN_FIELDS,
  type UnknownFields,
  type UnknownFieldsReport,
} from './schemas.js';
export { type ImportRow, listImports, type UndoResult, undoImport } from './undo.js';
