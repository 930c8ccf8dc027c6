import { createHash, randomBytes } from 'node:crypto';

/** Hex SHA-256: how session ids, survey tokens and the setup token are stored (never in clear). */
export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
/** A random secret of `bytes` bytes, base64url. */
export const token = (bytes: number): string => randomBytes(bytes).toString('base64url');
