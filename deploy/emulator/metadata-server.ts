import http from "node:http";
import { listen } from "./listen.js";

export interface MetadataServer {
  /** `host:port`, the form GCE_METADATA_HOST takes. */
  host: string;
  /** Where the instance runs, known once its revision's launch spec is. */
  locate(location: { project: string; region: string }): void;
  close(): Promise<void>;
}

/**
 * The part of the metadata server a Cloud Run container reads to know where it runs: one per
 * instance, so `instance/id` differs between instances of the same revision, as on Cloud Run.
 */
export async function startMetadataServer(instanceId: string): Promise<MetadataServer> {
  const values: Record<string, string> = { "/computeMetadata/v1/instance/id": instanceId };
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://metadata").pathname;
    const headers = { "metadata-flavor": "Google", "content-type": "application/text" };
    if (req.headers["metadata-flavor"] !== "Google") {
      res.writeHead(403, headers);
      res.end("Missing Metadata-Flavor:Google header.\n");
      return;
    }
    const value = values[path];
    res.writeHead(value === undefined ? 404 : 200, headers);
    res.end(value ?? "Not found.\n");
  });
  const listening = await listen(server);
  return {
    host: `127.0.0.1:${listening.port}`,
    locate({ project, region }) {
      values["/computeMetadata/v1/instance/region"] = `projects/${project}/regions/${region}`;
      values["/computeMetadata/v1/project/project-id"] = project;
    },
    close: listening.close,
  };
}
