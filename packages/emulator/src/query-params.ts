// The query parameters each Cloud Run Admin API v2 method binds (its request message's fields
// outside the path and body), by the emulator's route id.

export const CLOUD_RUN_QUERY_PARAMS: Record<string, readonly string[]> = {
  "services.create": ["serviceId", "validateOnly"],
  "services.list": ["pageSize", "pageToken", "showDeleted"],
  "services.get": [],
  "services.patch": ["updateMask", "validateOnly", "allowMissing"],
  "services.delete": ["validateOnly", "etag"],
  "revisions.list": ["pageSize", "pageToken", "showDeleted"],
  "revisions.get": [],
  "revisions.delete": ["validateOnly", "etag"],
  "operations.list": ["filter", "pageSize", "pageToken", "returnPartialSuccess"],
  "operations.get": [],
  "operations.delete": [],
  "operations.wait": ["timeout"],
  "services.getIamPolicy": ["options.requestedPolicyVersion"],
  "services.setIamPolicy": [],
  "services.testIamPermissions": [],
};
