import { referenceRoutes } from "./google-rest/rest-api.js";

// Every HTTP rule of the Cloud Run Admin API v2 (google/cloud/run/v2/*.proto and the
// google.longrunning mixin), so the emulator can tell a method it does not serve (501
// UNIMPLEMENTED) from a URL that is no method at all (404 NOT_FOUND). docs/emulator.md lists each
// with its status.

const S = "[^/:]+";
const LOC = `/v2/projects/${S}/locations/${S}`;

const CLOUD_RUN_REFERENCE_ROUTES: readonly [method: string, template: string, pattern: string][] = [
  ["POST", "/v2/{parent}/services", `${LOC}/services`],
  ["GET", "/v2/{parent}/services", `${LOC}/services`],
  ["GET", "/v2/{name=services/*}", `${LOC}/services/${S}`],
  ["PATCH", "/v2/{service.name=services/*}", `${LOC}/services/${S}`],
  ["DELETE", "/v2/{name=services/*}", `${LOC}/services/${S}`],
  ["GET", "/v2/{resource=services/*}:getIamPolicy", `${LOC}/services/${S}:getIamPolicy`],
  ["POST", "/v2/{resource=services/*}:setIamPolicy", `${LOC}/services/${S}:setIamPolicy`],
  ["POST", "/v2/{resource=services/*}:testIamPermissions", `${LOC}/services/${S}:testIamPermissions`],
  ["GET", "/v2/{name=services/*/revisions/*}", `${LOC}/services/${S}/revisions/${S}`],
  ["GET", "/v2/{parent=services/*}/revisions", `${LOC}/services/${S}/revisions`],
  ["DELETE", "/v2/{name=services/*/revisions/*}", `${LOC}/services/${S}/revisions/${S}`],
  ["GET", "/v2/{name=locations/*}/operations", `${LOC}/operations`],
  ["GET", "/v2/{name=operations/*}", `${LOC}/operations/${S}`],
  ["DELETE", "/v2/{name=operations/*}", `${LOC}/operations/${S}`],
  ["POST", "/v2/{name=operations/*}:wait", `${LOC}/operations/${S}:wait`],
  ["POST", "/v2/{parent}/jobs", `${LOC}/jobs`],
  ["GET", "/v2/{parent}/jobs", `${LOC}/jobs`],
  ["GET", "/v2/{name=jobs/*}", `${LOC}/jobs/${S}`],
  ["PATCH", "/v2/{job.name=jobs/*}", `${LOC}/jobs/${S}`],
  ["DELETE", "/v2/{name=jobs/*}", `${LOC}/jobs/${S}`],
  ["POST", "/v2/{name=jobs/*}:run", `${LOC}/jobs/${S}:run`],
  ["GET", "/v2/{resource=jobs/*}:getIamPolicy", `${LOC}/jobs/${S}:getIamPolicy`],
  ["POST", "/v2/{resource=jobs/*}:setIamPolicy", `${LOC}/jobs/${S}:setIamPolicy`],
  ["POST", "/v2/{resource=jobs/*}:testIamPermissions", `${LOC}/jobs/${S}:testIamPermissions`],
  ["GET", "/v2/{name=jobs/*/executions/*}", `${LOC}/jobs/${S}/executions/${S}`],
  ["GET", "/v2/{parent=jobs/*}/executions", `${LOC}/jobs/${S}/executions`],
  ["DELETE", "/v2/{name=jobs/*/executions/*}", `${LOC}/jobs/${S}/executions/${S}`],
  ["POST", "/v2/{name=jobs/*/executions/*}:cancel", `${LOC}/jobs/${S}/executions/${S}:cancel`],
  ["GET", "/v2/{name=jobs/*/executions/*/tasks/*}", `${LOC}/jobs/${S}/executions/${S}/tasks/${S}`],
  ["GET", "/v2/{parent=jobs/*/executions/*}/tasks", `${LOC}/jobs/${S}/executions/${S}/tasks`],
  ["POST", "/v2/{parent}/workerPools", `${LOC}/workerPools`],
  ["GET", "/v2/{parent}/workerPools", `${LOC}/workerPools`],
  ["GET", "/v2/{name=workerPools/*}", `${LOC}/workerPools/${S}`],
  ["PATCH", "/v2/{worker_pool.name=workerPools/*}", `${LOC}/workerPools/${S}`],
  ["DELETE", "/v2/{name=workerPools/*}", `${LOC}/workerPools/${S}`],
  ["GET", "/v2/{resource=workerPools/*}:getIamPolicy", `${LOC}/workerPools/${S}:getIamPolicy`],
  ["POST", "/v2/{resource=workerPools/*}:setIamPolicy", `${LOC}/workerPools/${S}:setIamPolicy`],
  ["POST", "/v2/{resource=workerPools/*}:testIamPermissions", `${LOC}/workerPools/${S}:testIamPermissions`],
  ["GET", "/v2/{name=workerPools/*/revisions/*}", `${LOC}/workerPools/${S}/revisions/${S}`],
  ["GET", "/v2/{parent=workerPools/*}/revisions", `${LOC}/workerPools/${S}/revisions`],
  ["DELETE", "/v2/{name=workerPools/*/revisions/*}", `${LOC}/workerPools/${S}/revisions/${S}`],
  ["POST", "/v2/{parent}/builds:submit", `${LOC}/builds:submit`],
  ["POST", "/v2/{parent}/instances", `${LOC}/instances`],
  ["GET", "/v2/{parent}/instances", `${LOC}/instances`],
  ["GET", "/v2/{name=instances/*}", `${LOC}/instances/${S}`],
  ["DELETE", "/v2/{name=instances/*}", `${LOC}/instances/${S}`],
  ["POST", "/v2/{name=instances/*}:stop", `${LOC}/instances/${S}:stop`],
  ["POST", "/v2/{name=instances/*}:start", `${LOC}/instances/${S}:start`],
];

/** The answer for a request no emulated route took: 501 for a method of the API, else 404. */
export const cloudRunUnrouted = referenceRoutes(
  "Cloud Run Admin API v2",
  CLOUD_RUN_REFERENCE_ROUTES.map(([method, template, pattern]) => [
    method,
    template,
    new RegExp(`^${pattern}$`),
  ]),
);
