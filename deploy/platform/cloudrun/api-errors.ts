import { type EchogateError, PlatformError } from "../../core/errors.js";
import { asInstallError } from "../../core/install-problem.js";

// gRPC status numbers as google-gax reports them (REST errors are mapped to these too).
const GRPC = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

const HTTP_TO_GRPC: Record<number, number> = {
  400: GRPC.INVALID_ARGUMENT,
  401: GRPC.UNAUTHENTICATED,
  403: GRPC.PERMISSION_DENIED,
  404: GRPC.NOT_FOUND,
  409: GRPC.ABORTED,
  412: GRPC.FAILED_PRECONDITION,
  503: GRPC.UNAVAILABLE,
  504: GRPC.DEADLINE_EXCEEDED,
};

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
]);

type ApiErrorKind =
  | "not-found"
  | "conflict"
  | "permission"
  | "unauthenticated"
  | "unavailable"
  | "invalid"
  | "precondition"
  | "other";

interface ApiErrorFacts {
  kind: ApiErrorKind;
  message: string;
  /** gRPC status number or network error code, when known. */
  code: number | string | undefined;
}

/** Classifies anything the clients throw (GoogleError, fetch failure, LRO error). */
export function classifyApiError(error: unknown): ApiErrorFacts {
  const record = (error ?? {}) as { code?: unknown; message?: unknown; cause?: unknown; status?: unknown };
  const message = typeof record.message === "string" ? record.message : String(error);
  const network = networkCode(error);
  if (network) return { kind: "unavailable", message, code: network };
  // google-auth-library's own words when Application Default Credentials find nothing usable.
  if (/Could not load the default credentials|Could not refresh access token/i.test(message))
    return { kind: "unauthenticated", message, code: undefined };
  let code = typeof record.code === "number" ? record.code : undefined;
  if (code !== undefined && code >= 100) code = HTTP_TO_GRPC[code] ?? code;
  if (code === undefined && typeof record.status === "string")
    code = GRPC[record.status as keyof typeof GRPC];
  switch (code) {
    case GRPC.NOT_FOUND:
      return { kind: "not-found", message, code };
    case GRPC.ABORTED:
    case GRPC.ALREADY_EXISTS:
      return { kind: "conflict", message, code };
    case GRPC.PERMISSION_DENIED:
      return { kind: "permission", message, code };
    case GRPC.UNAUTHENTICATED:
      return { kind: "unauthenticated", message, code };
    case GRPC.UNAVAILABLE:
    case GRPC.DEADLINE_EXCEEDED:
      return { kind: "unavailable", message, code };
    case GRPC.INVALID_ARGUMENT:
      return { kind: "invalid", message, code };
    case GRPC.FAILED_PRECONDITION:
      return { kind: "precondition", message, code };
    default:
      return { kind: "other", message, code };
  }
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors)) {
      const inner = errors.map(networkCode).find(Boolean);
      if (inner) return inner;
    }
    current = (current as { cause?: unknown }).cause;
  }
  if (error instanceof Error && /fetch failed|ECONNREFUSED|socket hang up/i.test(error.message))
    return "ECONNREFUSED";
  return undefined;
}

const HINTS: Record<ApiErrorKind, string> = {
  "not-found": "Check the project, region and service name in environments/<name>.yaml.",
  conflict:
    "Someone else changed the service at the same time; re-run the command to retry on the new state.",
  permission:
    "Grant the caller roles/run.developer (and roles/iam.serviceAccountUser on the runtime service account), or check the project id.",
  unauthenticated:
    "Run `gcloud auth application-default login` on your machine; in CI, log in first (GitHub Actions: google-github-actions/auth with Workload Identity Federation) or set GOOGLE_APPLICATION_CREDENTIALS.",
  unavailable:
    "Check the network and the endpoint; for `service.endpoint: local` run `echogate emulator status` (start it with `echogate emulator start`).",
  invalid:
    "Fix the value the API names above; echogate checks names and tags against Cloud Run's limits before deploying.",
  precondition: "The service is not in a state that allows this change; run `echogate status` and retry.",
  other: "Re-run with --debug for details; if it persists, check the Cloud Run console for the service.",
};

/**
 * `Failed to <action>: <API message>` with a recovery hint; exit 3. A module that failed to load
 * inside the client library is an install problem (exit 2), never blamed on the platform.
 */
export function toPlatformError(error: unknown, action: string): EchogateError {
  if (error instanceof PlatformError) return error;
  const install = asInstallError(error);
  if (install) return install;
  const facts = classifyApiError(error);
  const code = `cloudrun.${facts.kind}`;
  const message = `Failed to ${action}: ${facts.message.replace(/^\d+ [A-Z_]+: /, "")}`;
  return new PlatformError(code, message, {
    hint: HINTS[facts.kind],
    cause: error,
    details: { apiCode: facts.code },
  });
}
