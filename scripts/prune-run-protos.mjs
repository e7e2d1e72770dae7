import { createRequire } from "node:module";

/** The Cloud Run services echogate's clients call; their descriptors are all the clients need. */
export const USED_RUN_SERVICES = ["Services", "Revisions"];
const RUN_PACKAGE = "google.cloud.run.v2";

/**
 * @google-cloud/run's protos.json describes every Cloud Run v2 service (jobs, executions, tasks,
 * builds…), and each client parses and resolves all of it on construction. Keeps, in the Cloud Run
 * package, only USED_RUN_SERVICES and the messages and enums their methods reach (other packages,
 * such as longrunning, IAM and the well-known types, stay whole). Pure: descriptors in, out.
 */
export function pruneRunProtos(descriptors, root = process.cwd()) {
  const protobuf = createRequire(`${root}/package.json`)("protobufjs");
  const tree = protobuf.Root.fromJSON(descriptors);
  tree.resolveAll();
  const run = tree.lookup(RUN_PACKAGE);
  const reached = new Set();
  const reach = (type) => {
    if (!type || reached.has(type)) return;
    reached.add(type);
    for (const field of type.fieldsArray ?? []) reach(field.resolvedType);
    for (const nested of type.nestedArray ?? []) reach(nested);
    if (type.parent instanceof protobuf.Type) reach(type.parent);
  };
  for (const name of USED_RUN_SERVICES)
    for (const method of run.lookupService(name).methodsArray) {
      reach(method.resolvedRequestType);
      reach(method.resolvedResponseType);
    }
  for (const nested of [...run.nestedArray]) {
    const unused =
      nested instanceof protobuf.Service
        ? !USED_RUN_SERVICES.includes(nested.name)
        : (nested instanceof protobuf.Type || nested instanceof protobuf.Enum) && !reached.has(nested);
    if (unused) run.remove(nested);
  }
  return tree.toJSON();
}
