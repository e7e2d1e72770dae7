import type { ServingConfig } from "@echogate/common/serving-config";
import type { LoadedEnvironment } from "../config/load-environments.js";
import { firebaseServingFor, runHomeOf } from "../config/run-rewrites.js";
import { configErrorFrom, errorLocationOf } from "../core/diagnostics.js";
import { CheckFailedError } from "../core/errors.js";
import type { Project } from "../project/project.js";

/**
 * The `config` of the Hosting version an environment deploys: its firebase.json hosting block with
 * `run` rewrites sent to its own service (`{}` without firebase.json). A firebase.json that
 * `check` refuses stops the deploy the same way.
 */
export async function versionServingConfig(input: {
  project: Project;
  environment: LoadedEnvironment;
  environments: readonly LoadedEnvironment[];
  site: string;
  /** A preview's own service (else the environment's). */
  ownServiceName?: string;
}): Promise<ServingConfig> {
  const loaded = await input.project.firebaseJson();
  if (!loaded.present) return {};
  const broken = loaded.diagnostics.errors;
  if (broken.length > 0)
    throw configErrorFrom(broken, {
      code: "firebase-json.invalid",
      subject: "firebase.json",
      hint: broken[0]!.hint ?? "Fix it (`echogate check` lists every problem).",
    });
  const { environment } = input;
  const served = firebaseServingFor(
    loaded,
    {
      ...runHomeOf(environment, input.ownServiceName),
      site: input.site,
      project: environment.config.service.project,
    },
    input.environments.map((other) => runHomeOf(other)),
  );
  const refused = served.diagnostics[0];
  if (refused)
    throw new CheckFailedError(refused.code, refused.message, {
      ...errorLocationOf(refused),
      ...(refused.hint ? { hint: refused.hint } : {}),
    });
  return served.config ?? {};
}
