import { isTouchpointError, type TouchpointError } from '../core/errors.js';

/** The TouchpointError `p` is refused with; fails the test when it resolves or throws anything else. */
export async function refused(p: Promise<unknown>): Promise<TouchpointError> {
  try {
    await p;
  } catch (e) {
    if (isTouchpointError(e)) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}
