import path from "node:path";

// Where the emulators keep a project's state, and where their own endpoints (not part of any
// Google API) answer. Its own module: commands resolve these without loading the emulators.

/** The project's emulator state: daemon.log, emulator.json, and `logs/<service>__<revision>.log`. */
const EMULATOR_STATE_DIR = ".echogate/emulator";
/** Where the local Hosting emulator keeps its state, relative to the project. */
const HOSTING_EMULATOR_DIR = ".echogate/hosting";

/**
 * Not part of the Cloud Run Admin API (Cloud Run reports instance counts only as Monitoring
 * metrics): the emulator's own read-only view of running instances, for `echogate status`.
 */
export const INSTANCES_PATH = "/echogate/v1/instances";
/** The emulator's loopback balancers in front of a multi-region service: `PUT <path><service>`. */
export const BALANCERS_PATH = "/echogate/v1/balancers/";

export interface EmulatorDirs {
  /** daemon.log, emulator.json and the revision logs. */
  state: string;
  /** One `<service>__<revision>.log` per revision, one timestamped line per line of output. */
  logs: string;
  hosting: string;
}

/** The emulators' directories in a project. */
export function emulatorDirs(projectDir: string): EmulatorDirs {
  const state = path.join(projectDir, EMULATOR_STATE_DIR);
  return { state, logs: revisionLogDir(state), hosting: path.join(projectDir, HOSTING_EMULATOR_DIR) };
}

/** Where a Cloud Run emulator with this state directory writes its revisions' output. */
export function revisionLogDir(stateDir: string): string {
  return path.join(stateDir, "logs");
}

export interface EmulatorEndpoints {
  /** GET: an InstancesReport. */
  instances: string;
  /** PUT `{ backends: [url, …] }`: points the service's balancer at them and answers `{ uri }`. */
  balancer(service: string): string;
}

/** The emulator's own endpoints on its Admin API origin. */
export function emulatorEndpoints(apiEndpoint: string): EmulatorEndpoints {
  return {
    instances: `${apiEndpoint}${INSTANCES_PATH}`,
    balancer: (service) => `${apiEndpoint}${BALANCERS_PATH}${encodeURIComponent(service)}`,
  };
}
