// The one error type of the library: a message plus a stable `code` callers can switch on.
export class CircleError extends Error {
  constructor(
    readonly code: string,
    message: string = code,
  ) {
    super(message);
  }
}
