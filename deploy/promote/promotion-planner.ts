import type { LoadedEnvironment } from "../config/load-environments.js";
import type { CloudRunAdapter, LoadedService } from "../platform/cloudrun/adapter.js";
import type { Artifact } from "./artifact-types.js";
import { planPromotion } from "./plan.js";
import type { PromotionPlan } from "./plan-types.js";
import { needsWebOrigin, type RevisionEnvSource, resolveRevisionEnv } from "./revision-env.js";
import type { SecretEnv } from "./secret-env.js";
import type { ServiceMetadata } from "./service-metadata.js";

interface PlannerInput {
  environment: LoadedEnvironment;
  mode: "deploy" | "promote";
  adapter: CloudRunAdapter;
  artifact: Artifact;
  envSource: RevisionEnvSource;
  secrets: SecretEnv;
  region: string;
  metadata: ServiceMetadata | undefined;
  /** `${WEB_ORIGIN}` for this deploy, looked up on first use (it may create the web channel). */
  webOrigins: () => Promise<string[] | undefined>;
}

/**
 * Reads what a plan needs (the service, its revisions, who may invoke it) and makes the plan: once
 * before the lock, and again under it from the lock's own write.
 */
export class PromotionPlanner {
  /** The service as the last plan read it: the lock is written from it. */
  lastRead: LoadedService | undefined;
  private webOrigins: Promise<string[] | undefined> | undefined;
  private readonly secretNames: ReadonlySet<string>;

  constructor(private readonly input: PlannerInput) {
    this.secretNames = new Set(
      input.envSource.entries.filter((entry) => entry.secret).map((entry) => entry.name),
    );
  }

  /** `known`: the service as the lock's own write left it, so the re-plan does not read it again. */
  async plan(known?: LoadedService): Promise<PromotionPlan> {
    const { environment, adapter, envSource } = this.input;
    const name = environment.config.service.name;
    const [loaded, revisions] = await Promise.all([
      known ?? adapter.getService(name),
      adapter.listRevisions(name),
    ]);
    this.lastRead = loaded;
    const access = loaded ? await adapter.invokerAccess(name) : undefined;
    // Resolved once, after Cloud Run answered: an unreachable API must leave hosting untouched too.
    this.webOrigins ??= needsWebOrigin(envSource) ? this.input.webOrigins() : Promise.resolve(undefined);
    const { env, unresolved } = resolveRevisionEnv(
      envSource,
      environment,
      loaded?.snapshot.uri,
      await this.webOrigins,
    );
    const plan = planPromotion({
      environment: environment.name,
      config: environment.config,
      mode: this.input.mode,
      artifact: this.input.artifact,
      env: await this.input.secrets.apply(env, this.secretNames),
      service: loaded?.snapshot,
      revisions,
      ...(access ? { access } : {}),
      region: this.input.region,
      ...(this.input.metadata ? { metadata: this.input.metadata } : {}),
    });
    if (unresolved.length > 0) {
      plan.warnings.push({
        code: "env.unresolved",
        message: `${unresolved.join(", ")} need the service URL, which exists only after the first deploy; they are set from the next deploy on.`,
      });
    }
    return plan;
  }
}
