import { defaultRules } from "../../deploy/drift/default-rules.js";

/**
 * The rules the tool checks beyond each key's own type (zod refinements, name limits, scale-out
 * rules) that JSON Schema can express, added to the generated schemas so an editor refuses what
 * `echogate check` refuses. test/config/schema-corpus.test.ts runs a corpus of configs through
 * both and requires agreement, except for the rules JSON Schema can't express (listed there).
 * Also makes zod's output compile under strict ajv: no custom formats, no union `type` arrays.
 */

type Json = { [key: string]: unknown };

/** Formats ajv-formats knows; zod emits others (`starts_with`) that strict ajv refuses. */
const STANDARD_FORMATS = new Set([
  "uri",
  "email",
  "regex",
  "date-time",
  "date",
  "time",
  "uuid",
  "hostname",
  "ipv4",
  "ipv6",
]);

/** The generic fixes every schema gets, applied depth first. */
function strictCompatible(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictCompatible);
  if (!node || typeof node !== "object") return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = strictCompatible(value);
  // zod's startsWith/endsWith/includes become a custom format beside the pattern that enforces them.
  if (typeof out.format === "string" && !STANDARD_FORMATS.has(out.format)) delete out.format;
  if (Array.isArray(out.type)) {
    const types = out.type as string[];
    delete out.type;
    out.anyOf = types.map((type) => ({ type }));
  }
  return out;
}

const at = (schema: Json, ...path: string[]): Json => {
  let node = schema;
  for (const key of path) {
    const next = node[key];
    if (!next || typeof next !== "object") throw new Error(`No ${path.join(".")} in the generated schema`);
    node = next as Json;
  }
  return node;
};

const addAllOf = (node: Json, ...conditions: Json[]) => {
  node.allOf = [...((node.allOf as Json[] | undefined) ?? []), ...conditions];
};

/**
 * An object schema (strict ajv wants `type` beside object keywords and every `required` key in
 * `properties`): `required` keys must be there, `forbidden` keys must not, `properties` as given.
 */
function object(spec: { required?: string[]; forbidden?: string[]; properties?: Json }): Json {
  const properties: Json = { ...spec.properties };
  for (const key of spec.required ?? []) properties[key] ??= true;
  for (const key of spec.forbidden ?? []) properties[key] = false;
  return {
    type: "object",
    ...(spec.required?.length ? { required: spec.required } : {}),
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
  };
}
const notTrue = { not: { const: true } };

/** `if`/`then`/`else`: the schema `then` applies where `condition` holds, `otherwise` elsewhere. */
const when = (condition: Json, then: Json, otherwise?: Json): Json => ({
  if: condition,
  then,
  ...(otherwise ? { else: otherwise } : {}),
});

/** Smoke spec `echo:` (checkEcho in deploy/config/smoke-spec.ts). */
function echoRules(echo: Json): void {
  at(echo, "properties", "transports").uniqueItems = true;
  echo.dependentRequired = { send: ["expect"], expect: ["send"] };
  const socketIo = object({
    properties: {
      join: object({
        required: ["event"],
        properties: {
          // With ack: true the join waits for its acknowledgement (no event); otherwise for an event.
          waitFor: when(
            object({ required: ["ack"], properties: { ack: { const: true } } }),
            object({ forbidden: ["event"] }),
            object({ required: ["event"] }),
          ),
        },
      }),
      send: object({ required: ["event"] }),
      expect: object({ required: ["event"] }),
    },
  });
  const wsJson = object({
    properties: {
      transports: { const: ["websocket"] },
      join: object({
        required: ["payload"],
        forbidden: ["event", "args"],
        properties: {
          waitFor: object({ required: ["match"], forbidden: ["arg"], properties: { ack: notTrue } }),
        },
      }),
      send: object({ required: ["payload"], forbidden: ["event", "args", "ack"] }),
      expect: object({ required: ["match"], forbidden: ["event", "arg"] }),
    },
  });
  const payloadOrArgs = { not: object({ required: ["args", "payload"] }) };
  addAllOf(
    echo,
    // protocol defaults to ws-json: socket.io's rules apply only when it is given.
    when(
      object({ required: ["protocol"], properties: { protocol: { const: "socket.io" } } }),
      socketIo,
      wsJson,
    ),
    object({
      properties: {
        join: payloadOrArgs,
        send: payloadOrArgs,
        // Acknowledgements reach the sender only: send.ack, never expect.ack.
        expect: object({ properties: { ack: notTrue } }),
      },
    }),
  );
}

const CLOUD_RUN_SERVICE_NAME = "^[a-z](?:[a-z0-9-]*[a-z0-9])?$";
/** Cloud Run's tag URL holds `candidate---<service>` in one 46-character label (packages/common/src/cloud-run-limits.ts). */
const SERVICE_NAME_MAX_LENGTH = 46 - "candidate".length;
/** A project id Google accepts: 6 to 30 characters after an optional domain scope. */
const GOOGLE_PROJECT_ID = "^(?:[a-z0-9][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$";
const REDIS_BACKPLANE = object({ required: ["backplane"], properties: { backplane: { const: "redis" } } });

/** environments/<name>.yaml (scale-rules.ts, environment-rules.ts, model/name-limits.ts, the zod refinements). */
function environmentRules(schema: Json): void {
  const service = at(schema, "properties", "service");
  const name = at(service, "properties", "name");
  name.pattern = CLOUD_RUN_SERVICE_NAME;
  name.maxLength = SERVICE_NAME_MAX_LENGTH;
  at(service, "properties", "globalUrl").pattern = "^https://";
  addAllOf(
    service,
    when(
      object({ required: ["maxInstances"], properties: { maxInstances: { type: "integer", minimum: 2 } } }),
      REDIS_BACKPLANE,
    ),
    when(
      object({ required: ["regions"], properties: { regions: { type: "array", minItems: 2 } } }),
      REDIS_BACKPLANE,
    ),
    when(
      object({
        required: ["regions", "endpoint"],
        properties: { regions: { type: "array", minItems: 2 }, endpoint: { const: "google" } },
      }),
      object({ required: ["globalUrl"] }),
    ),
    when(
      object({ required: ["endpoint"], properties: { endpoint: { const: "google" } } }),
      object({ properties: { project: { type: "string", pattern: GOOGLE_PROJECT_ID } } }),
    ),
  );
  const steps = at(schema, "properties", "rollout", "properties", "steps");
  steps.uniqueItems = true;
  steps.contains = { const: 100 };
  // A partial step splits users between two revisions: only a shared backplane lets them talk.
  addAllOf(
    schema,
    when(
      object({
        required: ["rollout"],
        properties: {
          rollout: object({
            required: ["steps"],
            properties: { steps: { type: "array", contains: { type: "integer", maximum: 99 } } },
          }),
        },
      }),
      object({ properties: { service: REDIS_BACKPLANE } }),
    ),
  );
  const hosting = at(schema, "properties", "hosting");
  addAllOf(
    hosting,
    when(
      object({ required: ["mode"], properties: { mode: { enum: ["template", "rebuild"] } } }),
      object({ required: ["build"] }),
    ),
  );
  // An origin: scheme://host[:port] as the URL standard writes it (lowercase, no path).
  at(hosting, "properties", "origins", "items").pattern =
    "^https?://(?:[a-z0-9.-]+|\\[[0-9a-f:.]+\\])(?::[0-9]{1,5})?$";
  echoRules(at(schema, "properties", "smoke", "properties", "echo"));
}

/** environments/env.schema.yaml (deploy/envfiles/schema.ts). */
function envSchemaRules(schema: Json): void {
  const variables = at(schema, "properties", "variables");
  variables.propertyNames = {
    ...at(variables, "propertyNames"),
    not: { enum: ["__proto__", "constructor", "prototype"] },
  };
  const variable = at(variables, "additionalProperties");
  // env.schema.yaml is committed: a secret's value can't live there.
  addAllOf(
    variable,
    when(
      object({ required: ["secret"], properties: { secret: { const: true } } }),
      object({ forbidden: ["default"] }),
    ),
  );
}

/** environments/echogate.yaml (deploy/config/project-schema.ts). */
function projectRules(schema: Json): void {
  const version = at(schema, "properties", "version");
  for (const variant of (version.anyOf ?? version.oneOf ?? []) as Json[]) {
    const pattern = (variant.properties as Json | undefined)?.pattern as Json | undefined;
    if (pattern) pattern.format = "regex";
  }
}

/** environments/drift.yaml (deploy/drift/policy-file.ts): known rule ids, and only the keys each rule takes. */
function driftRules(schema: Json): void {
  const rules = at(schema, "properties", "rules");
  rules.propertyNames = { enum: defaultRules.map((rule) => rule.id) };
  // By rule id, as dependentSchemas: the reference's key tables list `properties`, not these.
  rules.dependentSchemas = Object.fromEntries(
    defaultRules.flatMap((rule) => {
      const takes = {
        min: rule.kind === "min-timeout",
        envKeys: rule.kind === "broadcast-adapter",
        ignore:
          rule.kind === "env-file-keys-equal" || (rule.kind === "equal" && rule.fact.startsWith("env.")),
      };
      const refused = Object.entries(takes)
        .filter(([, taken]) => !taken)
        .map(([key]) => key);
      return refused.length > 0
        ? [[rule.id, object({ properties: { [rule.id]: object({ forbidden: refused }) } })]]
        : [];
    }),
  );
  const nonBlank = "\\S";
  at(rules, "additionalProperties", "properties", "reason").pattern = nonBlank;
  at(schema, "properties", "broadcast", "properties", "reason").pattern = nonBlank;
}

const RULES: Record<string, (schema: Json) => void> = {
  "environment.schema.json": environmentRules,
  "smoke.schema.json": (schema) => echoRules(at(schema, "properties", "echo")),
  "env-schema.schema.json": envSchemaRules,
  "project.schema.json": projectRules,
  "drift.schema.json": driftRules,
};

/** The generated schema of `file`, strict-ajv compatible, with the expressible rules added. */
export function withExpressibleRules(file: string, generated: Json): Json {
  const schema = strictCompatible(generated) as Json;
  RULES[file]?.(schema);
  return schema;
}
