/** An error answered in Google's JSON error shape: `{ error: { code, message, status } }`. */
export class ApiFailure extends Error {
  constructor(
    readonly httpStatus: number,
    readonly status: string,
    message: string,
  ) {
    super(message);
  }

  body(): { error: { code: number; message: string; status: string } } {
    return { error: { code: this.httpStatus, message: this.message, status: this.status } };
  }
}

export const invalid = (message: string) => new ApiFailure(400, "INVALID_ARGUMENT", message);
export const notFound = (message: string) => new ApiFailure(404, "NOT_FOUND", message);
export const conflict = (message: string) => new ApiFailure(409, "ALREADY_EXISTS", message);
export const precondition = (message: string) => new ApiFailure(400, "FAILED_PRECONDITION", message);
export const exhausted = (message: string) => new ApiFailure(429, "RESOURCE_EXHAUSTED", message);
