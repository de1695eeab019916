/** A NERM-shaped error response: `{"error": "..."}`, plus `errors` for validation. */
export class NermHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(
      typeof body === 'object' && body && 'error' in body ? String(body.error) : `HTTP ${status}`,
    );
    this.name = 'NermHttpError';
  }
}

export function badRequest(message: string): NermHttpError {
  return new NermHttpError(400, { error: message });
}

/** NERM's validation failure: `{"error": "The Profile failed to create/update", "errors": {...}}`. */
export function validationFailed(
  objectName: string,
  errors: Record<string, string[]>,
): NermHttpError {
  return new NermHttpError(400, { error: `The ${objectName} failed to create/update`, errors });
}

export const INVALID_JSON = 'Invalid JSON syntax. Please check your syntax and try again.';
export const SERVER_ERROR = 'Sorry something went wrong';
