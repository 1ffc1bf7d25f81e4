/** A failure the API layer turns into a client error. `code` is the wire status code. */
export class ChatError extends Error {
  constructor(
    readonly code: 'INVALID_SESSION' | 'INVALID_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'RATE_LIMITED',
    message: string,
  ) {
    super(message);
  }

  get httpStatus(): number {
    switch (this.code) {
      case 'INVALID_SESSION':
      case 'NOT_FOUND':
        return 404;
      case 'UNAUTHORIZED':
        return 401;
      case 'FORBIDDEN':
        return 403;
      case 'CONFLICT':
        return 409;
      case 'PAYLOAD_TOO_LARGE':
        return 413;
      case 'UNSUPPORTED_MEDIA_TYPE':
        return 415;
      case 'RATE_LIMITED':
        return 429;
      default:
        return 400;
    }
  }
}

/** The store cannot be reached now: the request may be sent again as it is (503, WebSocket 1013). */
export { StoreUnavailableError } from '../ports/store.js';
