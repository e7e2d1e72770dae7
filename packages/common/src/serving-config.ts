import * as z from "zod";

// Firebase Hosting REST v1beta1 `ServingConfig` (a version's `config`): the subset firebase.json sets.

export type UrlPattern = { glob: string } | { regex: string };

export interface RunTarget {
  serviceId: string;
  region: string;
}

export type ServingRewrite = UrlPattern &
  (
    | { path: string }
    | { function: string; functionRegion?: string }
    | { run: RunTarget }
    | { dynamicLinks: true }
  );

export type ServingRedirect = UrlPattern & { location: string; statusCode?: number };

export type ServingHeader = UrlPattern & { headers: Record<string, string> };

export interface ServingConfig {
  rewrites?: ServingRewrite[];
  redirects?: ServingRedirect[];
  headers?: ServingHeader[];
  cleanUrls?: boolean;
  trailingSlashBehavior?: "ADD" | "REMOVE";
  appAssociation?: "AUTO" | "NONE";
  i18n?: { root: string };
}

/** Firebase's default region for a `run` rewrite without one. */
export const DEFAULT_RUN_REGION = "us-central1";

// The REST shape the API accepts (Hosting v1beta1 ServingConfig and its Rewrite, Redirect, Header,
// CloudRunRewrite, I18nConfig messages): unknown fields refused, one URL pattern per rule, one
// destination per rewrite. The Hosting emulator answers 400 for a config this refuses, as Google does.

const pattern = { glob: z.string().min(1).optional(), regex: z.string().min(1).optional() };

type Pattern = { glob?: string | undefined; regex?: string | undefined };

function exactlyOnePattern(rule: Pattern, ctx: z.RefinementCtx): void {
  if ((rule.glob === undefined) === (rule.regex === undefined))
    ctx.addIssue({ code: "custom", path: [], message: "needs exactly one of glob or regex" });
}

const rewrite = z
  .strictObject({
    ...pattern,
    path: z.string().startsWith("/").optional(),
    function: z.string().min(1).optional(),
    functionRegion: z.string().min(1).optional(),
    run: z
      .strictObject({
        serviceId: z.string().min(1),
        region: z.string().min(1).optional(),
        tag: z.string().min(1).optional(),
      })
      .optional(),
    dynamicLinks: z.boolean().optional(),
  })
  .superRefine(exactlyOnePattern)
  .superRefine((rule, ctx) => {
    const targets = [rule.path, rule.function, rule.run, rule.dynamicLinks].filter((t) => t !== undefined);
    if (targets.length !== 1)
      ctx.addIssue({
        code: "custom",
        path: [],
        message: "needs exactly one of path, function, run or dynamicLinks",
      });
  });

const redirect = z
  .strictObject({
    ...pattern,
    location: z.string().min(1),
    statusCode: z.number().int().min(300).max(399).optional(),
  })
  .superRefine(exactlyOnePattern);

const header = z
  .strictObject({ ...pattern, headers: z.record(z.string(), z.string()) })
  .superRefine(exactlyOnePattern);

const servingConfigSchema = z.strictObject({
  rewrites: z.array(rewrite).optional(),
  redirects: z.array(redirect).optional(),
  headers: z.array(header).optional(),
  cleanUrls: z.boolean().optional(),
  trailingSlashBehavior: z.enum(["TRAILING_SLASH_BEHAVIOR_UNSPECIFIED", "ADD", "REMOVE"]).optional(),
  appAssociation: z.enum(["AUTO", "NONE"]).optional(),
  i18n: z.strictObject({ root: z.string().min(1) }).optional(),
});

/** What is wrong with a config (`version.config.rewrites[0]: …`), or undefined when valid. */
export function servingConfigProblem(config: unknown): string | undefined {
  const parsed = servingConfigSchema.safeParse(config ?? {});
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0]!;
  const where = issue.path
    .map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`))
    .join("");
  return `Invalid value at 'version.config${where}': ${issue.message}`;
}
