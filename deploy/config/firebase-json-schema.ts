import * as z from "zod";

// The `hosting` block of firebase.json, as the Firebase CLI accepts it (its schema,
// firebase-tools/schema/firebase-config.json, HostingSingle): only the keys of that schema, each
// pattern given once (source, glob or regex), each rewrite one kind. Other top-level keys
// (functions, firestore, emulators, …) belong to other products and are not read.

const patternKeys = {
  source: z.string().min(1).optional().describe("Glob matched against the request path (same as glob)."),
  glob: z.string().min(1).optional().describe("Glob matched against the request path."),
  regex: z.string().min(1).optional().describe("RE2 regular expression matched against the request path."),
};

type Pattern = { source?: string | undefined; glob?: string | undefined; regex?: string | undefined };

/** Exactly one of source, glob or regex (the CLI refuses none and glob with regex). */
function onePattern(kind: string) {
  return (value: Pattern, ctx: z.RefinementCtx) => {
    const given = (["source", "glob", "regex"] as const).filter((key) => value[key] !== undefined);
    if (given.length === 1) return;
    ctx.addIssue({
      code: "custom",
      path: given.length ? [given[1]!] : [],
      message: given.length
        ? `A ${kind} takes one pattern: ${given.join(" and ")} are both set.`
        : `A ${kind} needs a pattern: source, glob or regex.`,
    });
  };
}

const CLOUD_RUN_SERVICE_ID = /^[a-z](?:[a-z0-9-]{0,47}[a-z0-9])?$/;

const runTargetSchema = z.strictObject({
  serviceId: z
    .string()
    .regex(CLOUD_RUN_SERVICE_ID, "must be a Cloud Run service name: lowercase letters, digits and dashes")
    .describe("The Cloud Run service the matching requests go to."),
  region: z
    .string()
    .regex(/^[a-z]+-[a-z]+\d+$/, "must look like a Cloud Run region, e.g. us-central1")
    .optional()
    .describe("The service's region (Firebase's default: us-central1)."),
});

const functionTargetSchema = z.strictObject({
  functionId: z.string().min(1).describe("The function the matching requests go to."),
  region: z.string().min(1).optional().describe("The function's region."),
});

const rewriteSchema = z
  .strictObject({
    ...patternKeys,
    destination: z.string().startsWith("/").optional().describe("A path of the site served instead."),
    function: z
      .union([z.string().min(1), functionTargetSchema])
      .optional()
      .describe("A Cloud Function."),
    region: z
      .string()
      .min(1)
      .optional()
      .describe("The function's region (only with `function` as a string)."),
    run: runTargetSchema.optional().describe("A Cloud Run service."),
    dynamicLinks: z.literal(true).optional().describe("Firebase Dynamic Links (true only)."),
  })
  .superRefine(onePattern("rewrite"))
  .superRefine((rewrite, ctx) => {
    const kinds = (["destination", "function", "run", "dynamicLinks"] as const).filter(
      (key) => rewrite[key] !== undefined,
    );
    if (kinds.length !== 1)
      ctx.addIssue({
        code: "custom",
        path: kinds.length ? [kinds[1]!] : [],
        message: kinds.length
          ? `A rewrite has one target: ${kinds.join(" and ")} are both set.`
          : "A rewrite needs a target: destination, function, run or dynamicLinks.",
      });
    if (rewrite.region !== undefined && typeof rewrite.function !== "string")
      ctx.addIssue({
        code: "custom",
        path: ["region"],
        message: "region is allowed at the top of a rewrite only with `function` as a string.",
      });
  });

const redirectSchema = z
  .strictObject({
    ...patternKeys,
    destination: z
      .string()
      .min(1)
      .describe("Where to redirect: a path or a URL; `:name` reuses a captured segment."),
    type: z
      .union([z.literal(301), z.literal(302)])
      .optional()
      .describe("301 (moved permanently, the default) or 302 (found)."),
  })
  .superRefine(onePattern("redirect"));

const headerSchema = z
  .strictObject({
    ...patternKeys,
    headers: z
      .array(
        z.strictObject({
          key: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "must be an HTTP header name"),
          value: z.string(),
        }),
      )
      .min(1)
      .describe("Response headers set on every matching path."),
  })
  .superRefine(onePattern("header rule"));

const stringOrList = z.union([z.string(), z.array(z.string())]);

const firebaseHostingSiteSchema = z
  .strictObject({
    site: z.string().min(1).optional().describe("The Hosting site this block deploys to."),
    target: z.string().min(1).optional().describe("A deploy target, resolved to a site by .firebaserc."),
    public: z.string().optional().describe("The directory the Firebase CLI uploads."),
    source: z.string().optional().describe("A web framework's source directory (frameworks support)."),
    ignore: z.array(z.string()).optional().describe("Files the Firebase CLI leaves out."),
    predeploy: stringOrList.optional(),
    postdeploy: stringOrList.optional(),
    frameworksBackend: z.record(z.string(), z.unknown()).optional(),
    rewrites: z.array(rewriteSchema).optional(),
    redirects: z.array(redirectSchema).optional(),
    headers: z.array(headerSchema).optional(),
    cleanUrls: z
      .boolean()
      .optional()
      .describe("Serve /page from page.html and redirect /page.html to /page."),
    trailingSlash: z.boolean().optional().describe("true adds, false removes a trailing slash by redirect."),
    appAssociation: z.enum(["AUTO", "NONE"]).optional(),
    i18n: z.strictObject({ root: z.string().min(1) }).optional(),
  })
  .superRefine((site, ctx) => {
    if (site.site !== undefined && site.target !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["target"],
        message: 'A hosting block names either "site" or "target", not both.',
      });
  });

/** One block for every site, or a list of blocks each naming its site or target. */
export function firebaseHostingSchema(hosting: unknown) {
  return Array.isArray(hosting) ? z.array(firebaseHostingSiteSchema).min(1) : firebaseHostingSiteSchema;
}

/** `.firebaserc`: project aliases and deploy targets (targets.<project>.hosting.<target> = [site]). */
export const firebaseRcSchema = z.looseObject({
  projects: z.record(z.string(), z.string()).optional(),
  targets: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.array(z.string())))).optional(),
});

export type FirebaseHostingSite = z.infer<typeof firebaseHostingSiteSchema>;
export type FirebaseRewrite = z.infer<typeof rewriteSchema>;
export type FirebaseRc = z.infer<typeof firebaseRcSchema>;
