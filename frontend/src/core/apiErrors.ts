// How the API's failures reach the code and the person: ApiError (any 4xx / 5xx, with the server's
// sentence), VersionConflict (a 409 carrying the server's current mask), and one way to word an error.
import type { MaskRecord } from './apiTypes';

/** A 4xx/5xx answer: `detail` is the API's message, `body` the parsed JSON (field errors, `current`). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly detail: string, readonly body: unknown) {
    super(`${status}: ${detail}`);
    this.name = 'ApiError';
  }
}

/** The answer to a 409 on a mask (PATCH, DELETE, accept, reject, review): the server's current row. */
export class VersionConflict extends ApiError {
  constructor(detail: string, readonly current: MaskRecord, body: unknown) {
    super(409, detail, body);
    this.name = 'VersionConflict';
  }
}

/** The sentence of a DRF error body: `detail`, else the field errors ("field: message; ..."). */
export function errorDetail(body: unknown, fallback: string): string {
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    if (typeof record.detail === 'string') return record.detail;
    // Errors of the request as a whole (non_field_errors) are sentences on their own.
    const parts = Object.entries(record).map(([field, value]) => {
      const text = Array.isArray(value) ? value.join(' ') : String(value);
      return field === 'non_field_errors' ? text : `${field}: ${text}`;
    });
    if (parts.length) return parts.join('; ');
  }
  return fallback;
}

/** fetch rejects with a TypeError when the request never got an answer (server down, network gone). */
export function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError || (error instanceof DOMException && error.name === 'NetworkError');
}

export const UNREACHABLE = 'The server cannot be reached.';

/** What to tell the person: the API's sentence, `unreachable` for a network failure, else the message. */
export function errorMessage(error: unknown, unreachable: string = UNREACHABLE): string {
  if (error instanceof ApiError) return error.detail;
  if (isNetworkError(error)) return unreachable;
  if (error instanceof Error) return error.message;
  return String(error);
}
