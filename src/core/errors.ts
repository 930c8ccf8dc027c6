/**
 * The one error type of Touchpoint. Domain code throws it with a `code` and a message a user can act
 * on; the CLI maps it to an exit code and the server to an HTTP status, nowhere else.
 */
export type ErrorCode =
  | 'invalid_input' // the user's input is wrong: a file, a row, a field, a parameter
  | 'not_found' // a named thing does not exist
  | 'conflict' // the request contradicts stored state (e.g. undoing an import that was updated since)
  | 'locked' // another process holds the workspace file
  | 'unauthorized'
  | 'forbidden'
  | 'too_large'
  | 'unavailable' // a prerequisite is missing (e.g. no personas computed yet)
  | 'internal';

export interface ErrorDetail {
  readonly file?: string;
  readonly line?: number;
  readonly field?: string;
  readonly message: string;
}

export class TouchpointError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly ErrorDetail[];

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: readonly ErrorDetail[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TouchpointError';
    this.code = code;
    this.details = options.details ?? [];
  }
}

export function isTouchpointError(e: unknown): e is TouchpointError {
  return e instanceof TouchpointError;
}

/** `file:line: field: message`, the form every row-level error is shown in. */
export function formatDetail(d: ErrorDetail): string {
  const where = [d.file, d.line === undefined ? undefined : String(d.line)].filter(Boolean).join(':');
  return [where, d.field, d.message].filter((s) => s !== undefined && s !== '').join(': ');
}
