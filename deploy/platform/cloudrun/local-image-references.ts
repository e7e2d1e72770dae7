import type { LoadedEnvironment } from "../../config/load-environments.js";
import { readGateRecords } from "../../model/gate-records.js";
import type { Platform } from "../platform.js";

const DIGEST_ANNOTATION = "echogate.dev/digest";
const DIGEST = /sha256:[0-9a-f]{64}/;

/**
 * Every image digest the local emulator's services still use or may go back to: each revision's
 * image (serving or not: a rollback can return to any), each gate record, each digest annotation,
 * over every service (previews included) in the projects and regions of the `local` environments.
 * Google's revisions use registry images, never the local store.
 */
export async function localImageReferences(
  platform: Platform,
  environments: readonly LoadedEnvironment[],
): Promise<Set<string>> {
  const places = new Map<string, { project: string; region: string }>();
  for (const { config } of environments) {
    if (config.service.endpoint !== "local") continue;
    for (const region of config.service.regions)
      places.set(`${config.service.project} ${region}`, { project: config.service.project, region });
  }
  const digests = new Set<string>();
  const add = (text: string | undefined) => {
    const digest = text ? DIGEST.exec(text)?.[0] : undefined;
    if (digest) digests.add(digest);
  };
  for (const { project, region } of places.values()) {
    const adapter = await platform.cloudRun({ endpoint: "local", project }, region);
    for (const service of await adapter.listServices()) {
      for (const record of readGateRecords(service.annotations)) add(record.digest);
      add(service.annotations[DIGEST_ANNOTATION]);
      for (const revision of await adapter.listRevisions(service.name)) {
        add(revision.image);
        add(revision.annotations[DIGEST_ANNOTATION]);
      }
    }
  }
  return digests;
}
