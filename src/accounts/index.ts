export { type AuditEntry, AuditLog } from './audit.js';
export { ApiKeys } from './keys.js';
export {
  type ApiKeyInfo,
  KEY_FORMAT,
  MIN_PASSWORD,
  type Principal,
  type Queue,
  queueFor,
  ROLES,
  type Role,
  SCOPES,
  type Scope,
  USERNAME,
  type UserInfo,
  WORKSPACE_NAME,
} from './model.js';
export { operations } from './operations.js';
export { sha256, token } from './secrets.js';
export { type Accounts, accountsOf } from './service.js';
export { Users } from './users.js';
