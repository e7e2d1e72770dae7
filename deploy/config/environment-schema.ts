import * as z from "zod";
import { PROJECT_ID_MESSAGE, PROJECT_ID_PATTERN } from "./gcp-project-id.js";
import { projectRelativePath } from "./project-path.js";
import { smokeSpecSchema } from "./smoke-spec.js";
import { templateProblems } from "./smoke-templates.js";

export const environmentKinds = ["local", "preview", "staging", "production"] as const;
export type EnvironmentKind = (typeof environmentKinds)[number];

/**
 * Environments in the order a change travels (local, preview, staging, production), then by name.
 * A plain comparison of names: localeCompare would load ICU's collation (milliseconds) for a few.
 */
export function travelOrder(
  a: { kind: EnvironmentKind; name: string },
  b: { kind: EnvironmentKind; name: string },
): number {
  const kind = environmentKinds.indexOf(a.kind) - environmentKinds.indexOf(b.kind);
  return kind || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

const positiveInt = z.number().int().positive();

const serviceSchema = z.strictObject({
  /** `local` runs on the embedded Cloud Run emulator; `google` on Cloud Run. */
  endpoint: z
    .enum(["local", "google"])
    .default("local")
    .describe(
      "`local`: the embedded Cloud Run emulator on loopback; `google`: Cloud Run (Application Default Credentials).",
    ),
  project: z
    .string()
    .regex(PROJECT_ID_PATTERN, PROJECT_ID_MESSAGE)
    .describe(
      "Google Cloud project id: lowercase letters, digits and hyphens (6 to 30 characters on `google`; shorter ids work on the `local` endpoint).",
    ),
  regions: z
    .array(z.string().regex(/^[a-z]+-[a-z]+\d+$/, "must look like a Cloud Run region, e.g. us-central1"))
    .min(1)
    .describe(
      "Cloud Run regions the service runs in, e.g. [us-central1]; every region is deployed and gated.",
    ),
  name: z
    .string()
    .min(1)
    .describe("Cloud Run service name: lowercase letters, digits and dashes, starting with a letter."),
  port: z
    .number()
    .int()
    .min(1)
    .max(65535)
    .default(8080)
    .describe("The container port; the server gets it in PORT and must listen on it."),
  /** Path of the env file, relative to the environments/ directory. */
  envFile: projectRelativePath("environments").describe(
    "The environment's env file, relative to environments/ (e.g. .env.staging); checked against env.schema.yaml.",
  ),
  minInstances: z.number().int().min(0).default(0).describe("Instances kept warm (Cloud Run min instances)."),
  maxInstances: positiveInt
    .default(1)
    .describe("Most instances Cloud Run may start. Above 1, a realtime server needs a shared backplane."),
  concurrency: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(80)
    .describe("Concurrent requests (each open WebSocket counts) per instance."),
  requestTimeoutS: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(3600)
    .describe("Request timeout in seconds; it also ends WebSocket connections, so keep it long."),
  sessionAffinity: z
    .boolean()
    .default(true)
    .describe("Route a client's requests to the same instance (Socket.IO polling needs it)."),
  backplane: z
    .enum(["redis", "none"])
    .optional()
    .describe(
      "How the server shares broadcasts across instances, revisions and regions: `redis` (a shared pub/sub, e.g. REDIS_URL) or `none` (rooms live in one process). Required as `redis` for maxInstances > 1, partial rollout steps and several regions; the gate then proves a message crosses instances.",
    ),
  globalUrl: z
    .url({ protocol: /^https$/ })
    .optional()
    .describe(
      "The one public URL in front of every region (e.g. a global external HTTPS load balancer) that the web front end uses for a multi-region environment. On the embedded emulator (endpoint: local) echogate serves it itself as a loopback balancer across the regions' service URLs; leave it unset there.",
    ),
  cpu: z
    .string()
    .regex(/^(?:[1-9]\d*|0\.(?:08|[1-9]\d?)|\d+m)$/, 'must be a CPU count such as "1", "2", "0.5" or "500m"')
    .default("1")
    .describe('CPU limit per instance, e.g. "1" or "2".'),
  memory: z
    .string()
    .regex(/^\d+(Mi|Gi)$/, "must be like 512Mi or 1Gi")
    .default("512Mi")
    .describe("Memory limit per instance, like 512Mi or 1Gi."),
});

const webModes = ["runtime-config", "template", "rebuild"] as const;
export type WebMode = (typeof webModes)[number];

const webBuildSchema = z
  .strictObject({
    command: z
      .string()
      .min(1)
      .describe(
        "The front end's own build command, run with `sh -c` in the project directory (e.g. `npm run build`, `npx next build`, `npx vite build`); it must write its output into hosting.publicDir and nowhere else.",
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

const selector = z.string().trim().min(1, "must be a CSS selector");

const browserGateSchema = z
  .strictObject({
    input: selector.describe("CSS selector of the text field a message is typed into."),
    send: selector.describe("CSS selector of what is clicked to send it (a button, e.g. `#send button`)."),
    messages: selector.describe(
      "CSS selector of where the page shows messages; the sent text must appear inside it on both pages.",
    ),
    join: z
      .strictObject({
        fill: z
          .record(selector, z.string())
          .default({})
          .describe(
            "Fields filled before joining, CSS selector → value; templates {{room}} (unique per run), {{client}} (echogate-a or echogate-b) and {{nonce}}.",
          ),
        submit: selector.describe("CSS selector clicked to join."),
        ready: selector
          .optional()
          .describe("CSS selector that becomes visible once joined; waited for before anything is sent."),
      })
      .optional()
      .describe("What each page does before it can chat (pick a room and a name, press Join)."),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .max(120_000)
      .default(15_000)
      .describe(
        "Budget in ms per step: each control appearing, the join, then the message appearing on both pages. Loading the page may take 30 s (or this, if longer).",
      ),
  })
  .superRefine((gate, ctx) => {
    for (const problem of templateProblems(gate.join?.fill ?? {}))
      ctx.addIssue({ code: "custom", path: ["join", "fill", ...problem.path], message: problem.message });
  });

const hostingGateSchema = z.strictObject({
  browser: z
    .union([z.boolean(), browserGateSchema])
    .default(false)
    .describe(
      "The browser gate (off by default): a real headless Chromium opens the hosted page twice, types a message on one and requires it on both. `true` uses the reference front end's selectors (web/public); an object gives the page's own. Needs Chromium (`apt-get install chromium`) and the playwright-core package.",
    ),
});

export const hostingSchema = z
  .strictObject({
    provider: z
      .enum(["firebase", "local"])
      .describe("`firebase`: Firebase Hosting; `local`: the embedded Hosting emulator."),
    site: z
      .string()
      .regex(
        /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
        "must be a Hosting site id: lowercase letters, digits and hyphens",
      )
      .describe("Firebase Hosting site id."),
    /** Firebase Hosting channel; `live` is the site's live channel. */
    channel: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/,
        "must be a Hosting channel id: letters, digits, '-', '_' and '.'",
      )
      .default("live")
      .describe("Firebase Hosting channel; `live` is the site's live channel."),
    /** Directory of the built web front end, relative to the project. */
    publicDir: projectRelativePath()
      .default("web/public")
      .describe("Directory of the built web front end (the files uploaded), relative to the project."),
    /**
     * Extra origins the front end is served from (custom domains; for `local`
     * hosting, its origin). The server's CORS origins must cover them.
     */
    origins: z
      .array(
        z
          .url({ protocol: /^https?$/ })
          .refine(
            (url) => !URL.canParse(url) || new URL(url).origin === url,
            "must be an origin: scheme://host[:port], no path",
          ),
      )
      .optional()
      .describe(
        "Extra origins the front end is served from (custom domains); the server's CORS origins must cover them.",
      ),
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
    gate: hostingGateSchema
      .prefault({})
      .describe("What the pair gate checks beyond the server the hosted page names."),
  })
  .superRefine((hosting, ctx) => {
    if (hosting.mode !== "runtime-config" && !hosting.build)
      ctx.addIssue({
        code: "custom",
        path: ["build"],
        message: `is required with mode ${hosting.mode}: the front end's own build command, e.g. { command: "npm run build" }`,
      });
  });

const rolloutSchema = z.strictObject({
  /** Traffic percent after each step; the last must be 100. A smoke runs at every step. */
  steps: z
    .array(z.number().int().min(1).max(100))
    .min(1)
    .refine((steps) => steps.at(-1) === 100, "the last step must be 100")
    .refine((steps) => steps.every((step, i) => i === 0 || step > steps[i - 1]!), "steps must increase")
    .default([100])
    .describe("Traffic percent after each step, increasing, the last 100; a smoke runs at every step."),
});

export const environmentSchema = z.strictObject({
  kind: z
    .enum(environmentKinds)
    .describe("What the environment is: local, preview (per branch), staging or production."),
  description: z.string().optional().describe("One line for people reading status and drift reports."),
  service: serviceSchema.describe("The Cloud Run service."),
  hosting: hostingSchema.optional().describe("The web front end's hosting site, if the project has one."),
  /** The environment whose gated artifact this one receives (production ← staging). */
  promotesFrom: z
    .string()
    .optional()
    .describe("The environment whose gated artifact this one receives (production ← staging)."),
  rollout: rolloutSchema.default({ steps: [100] }).describe("How traffic moves to a gated revision."),
  smoke: smokeSpecSchema
    .optional()
    .describe(
      "This environment's smoke gate; without it, environments/smoke.yaml (else the defaults) applies.",
    ),
});

export type EnvironmentConfig = z.infer<typeof environmentSchema>;
export type ServiceConfig = z.infer<typeof serviceSchema>;
export type HostingConfig = z.infer<typeof hostingSchema>;
export type BrowserGateConfig = z.infer<typeof browserGateSchema>;
