/** Messages Run:ai itself uses, so clients can be tested against the real wording. */
export const MESSAGES = {
  unauthorized: 'Issuer is not familiar.',
  forbidden: 'You do not have sufficient permissions.',
  accepted: 'Request has been accepted.',
  unavailable: 'Please try again in few minutes.',
} as const;

/** A Run:ai error body: `{code, message, details?}` (the spec's `Error` schema). */
export interface ErrorBody {
  code: number;
  message: string;
  details?: string;
}

/**
 * An error that ends request handling with a Run:ai-style error answer.
 * Thrown from anywhere in the pipeline and turned into a response in one place.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly details: string | undefined;

  constructor(status: number, message: string, details?: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.details = details;
  }

  /** The JSON body Run:ai sends for this error. */
  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.status, message: this.message }
      : { code: this.status, message: this.message, details: this.details };
  }
}

/** The default message for an injected failure with this status. */
export function defaultMessageFor(status: number): string {
  switch (status) {
    case 400:
      return 'Bad request.';
    case 401:
      return MESSAGES.unauthorized;
    case 403:
      return MESSAGES.forbidden;
    case 404:
      return 'The specified resource was not found';
    case 409:
      return 'Conflict.';
    case 429:
      return 'Too many requests.';
    case 503:
      return MESSAGES.unavailable;
    default:
      return status >= 500 ? 'Internal server error.' : 'Request failed.';
  }
}
