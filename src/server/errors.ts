import { type ErrorCode, type ErrorDetail, isTouchpointError, TouchpointError } from '../core/errors.js';

/** The one mapping from a Touchpoint error code to an HTTP status (CONVENTIONS: one error type, one place). */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  locked: 423,
  unavailable: 409,
  internal: 500,
};

export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode | 'rate_limited' | 'shutting_down' | 'misdirected_request';
    readonly message: string;
    readonly details: readonly ErrorDetail[];
    readonly requestId?: string;
  };
}

interface FrameworkError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/**
 * Any thrown value → a TouchpointError: ours pass through; the framework's own errors (body too
 * large, malformed JSON, wrong content type, poisoned prototype keys) become the matching code with a
 * message that names the problem; anything else is internal and its message is not leaked.
 */
export function toTouchpointError(e: unknown): TouchpointError {
  if (isTouchpointError(e)) return e;
  const f = (e ?? {}) as FrameworkError;
  const status = f.statusCode ?? 500;
  const message = f.message ?? 'request failed';
  if (f.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413)
    return new TouchpointError('too_large', 'request body is larger than this endpoint accepts', {
      details: [{ field: '(body)', message }],
    });
  if (f.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415)
    return new TouchpointError('invalid_input', `unsupported content type: ${message}`, {
      details: [{ field: 'content-type', message }],
    });
  if (status >= 400 && status < 500) {
    const field = /__proto__|constructor/.test(message) ? '__proto__' : '(body)';
    return new TouchpointError('invalid_input', message, { details: [{ field, message }] });
  }
  return new TouchpointError('internal', 'internal error', { cause: e });
}

export function errorBody(e: TouchpointError, requestId?: string): ErrorBody {
  return {
    error: {
      code: e.code,
      message: e.message,
      details: e.details.slice(0, 100),
      ...(requestId ? { requestId } : {}),
    },
  };
}
