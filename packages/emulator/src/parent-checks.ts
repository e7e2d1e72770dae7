import { ApiError, invalidArgument } from "./google-rest/api-error.js";

// The `projects/{project}/locations/{location}` part of every Cloud Run path, refused as Google
// refuses it before any method runs: a malformed project id, or a location Cloud Run does not run in.

/**
 * "{project} can be project id or number. Only lowercase characters, digits, and hyphens"
 * (CreateServiceRequest.parent). The 6-to-30 length rule is not applied here: the `local`
 * endpoint takes shorter ids on purpose (see docs/emulator.md).
 */
const PROJECT = /^(?:\d+|(?:[a-z0-9][a-z0-9.-]*[a-z0-9]:)?[a-z](?:[a-z0-9-]*[a-z0-9])?)$/;

/** Cloud Run locations (cloud.google.com/run/docs/locations, tier 1 and tier 2). */
const CLOUD_RUN_REGIONS = new Set([
  "africa-south1",
  "asia-east1",
  "asia-east2",
  "asia-northeast1",
  "asia-northeast2",
  "asia-northeast3",
  "asia-south1",
  "asia-south2",
  "asia-southeast1",
  "asia-southeast2",
  "australia-southeast1",
  "australia-southeast2",
  "europe-central2",
  "europe-north1",
  "europe-north2",
  "europe-southwest1",
  "europe-west1",
  "europe-west2",
  "europe-west3",
  "europe-west4",
  "europe-west6",
  "europe-west8",
  "europe-west9",
  "europe-west10",
  "europe-west12",
  "me-central1",
  "me-central2",
  "me-west1",
  "northamerica-northeast1",
  "northamerica-northeast2",
  "northamerica-south1",
  "southamerica-east1",
  "southamerica-west1",
  "us-central1",
  "us-east1",
  "us-east4",
  "us-east5",
  "us-south1",
  "us-west1",
  "us-west2",
  "us-west3",
  "us-west4",
]);

/** Throws Google's refusal for a parent the API would not accept; `-` (a wildcard) is left to the method. */
export function checkParent(project: string, location: string): void {
  if (!PROJECT.test(project)) {
    throw invalidArgument([
      {
        field: "parent",
        description: `Invalid project id '${project}': a project is named by its id (lowercase letters, digits and hyphens, starting with a letter) or its number.`,
      },
    ]);
  }
  if (location !== "-" && !CLOUD_RUN_REGIONS.has(location)) {
    throw new ApiError(
      "NOT_FOUND",
      `Location '${location}' is not a Cloud Run region (projects/${project}/locations/${location}). See https://cloud.google.com/run/docs/locations.`,
    );
  }
}
