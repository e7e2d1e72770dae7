// The one error of the emulated Google APIs, answered as Google's JSON error body:
// { error: { code, message, status, details? } } (google.rpc.Status over HTTP).

const HTTP_STATUS = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  ABORTED: 409,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
} as const;

/** gRPC code numbers, used in Operation.error. */
export const GRPC_CODE = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
} as const;

type ApiStatus = keyof typeof HTTP_STATUS;

export class ApiError extends Error {
  constructor(
    readonly status: ApiStatus,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }

  get httpCode(): number {
    return HTTP_STATUS[this.status];
  }

  toBody(): { error: { code: number; message: string; status: string; details?: unknown[] } } {
    return {
      error: {
        code: this.httpCode,
        message: this.message,
        status: this.status,
        ...(this.details.length > 0 ? { details: this.details } : {}),
      },
    };
  }
}

/** An INVALID_ARGUMENT error listing every violation, as google.rpc.BadRequest field violations. */
export function invalidArgument(violations: { field: string; description: string }[]): ApiError {
  const message = violations.map((v) => v.description).join(" ");
  return new ApiError("INVALID_ARGUMENT", message, [
    { "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: violations },
  ]);
}

export function notFound(
  kind: "SERVICE" | "REVISION" | "OPERATION",
  name: string,
  location: string,
  project: string,
) {
  return new ApiError(
    "NOT_FOUND",
    `Resource '${name}' of kind '${kind}' in region '${location}' in project '${project}' does not exist.`,
  );
}
