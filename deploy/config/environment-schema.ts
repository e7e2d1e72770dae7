import { z } from "zod";
import { smokeSpecSchema } from "../smoke/spec.js";

export const environmentKinds = ["local", "preview", "staging", "production"] as const;
export type EnvironmentKind = (typeof environmentKinds)[number];

const positiveInt = z.number().int().positive();

export const serviceSchema = z.strictObject({
  /** `local` runs on the embedded Cloud Run emulator; `google` on Cloud Run. */
  endpoint: z.enum(["local", "google"]).default("local"),
  project: z.string().min(1),
  regions: z
    .array(z.string().regex(/^[a-z]+-[a-z]+\d+$/, "must look like a Cloud Run region, e.g. us-central1"))
    .min(1),
  name: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(8080),
  /** Path of the env file, relative to the environments/ directory. */
  envFile: z.string().min(1),
  minInstances: z.number().int().min(0).default(0),
  maxInstances: positiveInt.default(1),
  concurrency: z.number().int().min(1).max(1000).default(80),
  requestTimeoutS: z.number().int().min(1).max(3600).default(3600),
  sessionAffinity: z.boolean().default(true),
  cpu: z.string().default("1"),
  memory: z
    .string()
    .regex(/^\d+(Mi|Gi)$/, "must be like 512Mi or 1Gi")
    .default("512Mi"),
});

export const webModes = ["runtime-config", "template", "rebuild"] as const;
export type WebMode = (typeof webModes)[number];

export const webBuildSchema = z
  .strictObject({
    command: z
      .string()
      .min(1)
      .describe(
        "The front end's own build command, run with `sh -c` in the project directory (e.g. `npx vite build`); it must write its output into hosting.publicDir and nowhere else.",
      ),
    timeoutS: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(300)
      .describe("Seconds the build command may run before it is stopped and the deploy refused."),
  })
  .describe(
    "How to build a front end that bakes its public values at build time (web modes template and rebuild).",
  );

export const hostingSchema = z
  .strictObject({
    provider: z.enum(["firebase", "local"]),
    site: z.string().min(1),
    /** Firebase Hosting channel; `live` is the site's live channel. */
    channel: z.string().min(1).default("live"),
    /** Directory of the built web front end, relative to the project. */
    publicDir: z.string().default("web/public"),
    /**
     * Extra origins the front end is served from (custom domains; for `local`
     * hosting, its origin). The server's CORS origins must cover them.
     */
    origins: z
      .array(
        z
          .url({ protocol: /^https?$/ })
          .refine((url) => new URL(url).origin === url, "must be an origin: scheme://host[:port], no path"),
      )
      .optional(),
    mode: z
      .enum(webModes)
      .default("runtime-config")
      .describe(
        "How one web build serves several environments: `runtime-config` (one build reading /echogate.json), `template` (one build with placeholders for the public values, substituted per environment), `rebuild` (one build per environment, proven equal to the gated one except for the public values).",
      ),
    build: webBuildSchema.optional(),
    strictScan: z
      .boolean()
      .default(false)
      .describe(
        "Bundle scan: a *.run.app host that is not this environment's is an error instead of a warning (the CLI flag --strict does the same).",
      ),
  })
  .superRefine((hosting, ctx) => {
    if (hosting.mode !== "runtime-config" && !hosting.build)
      ctx.addIssue({
        code: "custom",
        path: ["build"],
        message: `is required with mode ${hosting.mode}: the front end's own build command, e.g. { command: "npx vite build" }`,
      });
  });

export const rolloutSchema = z.strictObject({
  /** Traffic percent after each step; the last must be 100. A smoke runs at every step. */
  steps: z
    .array(z.number().int().min(1).max(100))
    .min(1)
    .refine((steps) => steps.at(-1) === 100, "the last step must be 100")
    .refine((steps) => steps.every((step, i) => i === 0 || step > steps[i - 1]!), "steps must increase")
    .default([100]),
});

export const environmentSchema = z.strictObject({
  kind: z.enum(environmentKinds),
  description: z.string().optional(),
  service: serviceSchema,
  hosting: hostingSchema.optional(),
  /** The environment whose gated artifact this one receives (production ← staging). */
  promotesFrom: z.string().optional(),
  rollout: rolloutSchema.default({ steps: [100] }),
  smoke: smokeSpecSchema.optional(),
});

export type EnvironmentConfig = z.infer<typeof environmentSchema>;
export type ServiceConfig = z.infer<typeof serviceSchema>;
export type HostingConfig = z.infer<typeof hostingSchema>;
