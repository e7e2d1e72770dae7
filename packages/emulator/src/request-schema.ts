// Statically imported so the bundle in dist/ carries the descriptors (the package itself is bundled, not installed).
import runProtos from "@google-cloud/run/build/protos/protos.json" with { type: "json" };
import { ApiError } from "./google-rest/api-error.js";

// Request bodies checked against the google.cloud.run.v2 descriptors that ship with
// @google-cloud/run (protos.json), the way Google's REST front end does it: an unknown field or a
// bad enum value is a 400 "Invalid JSON payload received." before the service sees the request.
// Field names may be lowerCamelCase (json_name) or snake_case (the proto name); the result uses
// lowerCamelCase and enum names, so the rest of the emulator reads one form.

interface FieldDescriptor {
  type: string;
  rule?: "repeated";
  keyType?: string;
}

interface Namespace {
  nested?: Record<string, Namespace>;
  fields?: Record<string, FieldDescriptor>;
  values?: Record<string, number>;
}

type Resolved =
  | { kind: "message"; name: string; node: Namespace }
  | { kind: "enum"; name: string; node: Namespace };

const RUN_V2 = "google.cloud.run.v2";
/** Well-known types whose JSON form is a string or free-form value: not walked. */
const OPAQUE_TYPES = new Set([
  "google.protobuf.Duration",
  "google.protobuf.Timestamp",
  "google.protobuf.FieldMask",
  "google.protobuf.Any",
  "google.protobuf.Struct",
  "google.protobuf.Value",
]);
const SCALARS = new Set([
  "string",
  "bytes",
  "bool",
  "double",
  "float",
  "int32",
  "int64",
  "uint32",
  "uint64",
  "sint32",
  "sint64",
  "fixed32",
  "fixed64",
  "sfixed32",
  "sfixed64",
]);

function protoRoot(): Namespace {
  return runProtos as Namespace;
}

function lookup(fullName: string): Namespace | undefined {
  let node: Namespace | undefined = protoRoot();
  for (const part of fullName.split(".")) node = node?.nested?.[part];
  return node;
}

/** Resolves a type name as protobuf does: from the innermost scope outwards. */
function resolveType(typeName: string, scope: string): Resolved | undefined {
  if (SCALARS.has(typeName)) return undefined;
  const candidates: string[] = [];
  if (typeName.startsWith(".")) candidates.push(typeName.slice(1));
  else {
    const parts = scope.split(".");
    for (let i = parts.length; i >= 0; i--) candidates.push([...parts.slice(0, i), typeName].join("."));
  }
  for (const name of candidates) {
    const node = lookup(name);
    if (node?.fields) return { kind: "message", name, node };
    if (node?.values) return { kind: "enum", name, node };
  }
  return undefined;
}

interface MessageType {
  name: string;
  node: Namespace;
}

export function runMessage(name: string): MessageType {
  return protoMessage(`${RUN_V2}.${name}`);
}

/** Any message the Cloud Run descriptors carry, e.g. `google.iam.v1.SetIamPolicyRequest`. */
export function protoMessage(fullName: string): MessageType {
  const node = lookup(fullName);
  if (!node?.fields) throw new Error(`No message ${fullName} in the Cloud Run descriptors.`);
  return { name: fullName, node };
}

interface SchemaViolation {
  field: string;
  description: string;
}

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Checks `value` against a message type; returns it normalised (camelCase names, enum names) and
 * every violation, each worded as Google words it. `at` is the path Google reports ('service').
 */
export function checkMessage(
  type: MessageType,
  value: unknown,
  at: string,
): { value: Record<string, unknown>; violations: SchemaViolation[] } {
  const violations: SchemaViolation[] = [];
  const out = walkMessage(type, value, at, violations);
  return { value: isObject(out) ? out : {}, violations };
}

function invalidValue(at: string, typeName: string, value: unknown): SchemaViolation {
  return {
    field: at,
    description: `Invalid value at '${at}' (type.googleapis.com/${typeName}), ${JSON.stringify(value)}`,
  };
}

function walkMessage(type: MessageType, value: unknown, at: string, violations: SchemaViolation[]): unknown {
  if (value === null || value === undefined) return value;
  if (!isObject(value)) {
    violations.push(invalidValue(at, type.name, value));
    return value;
  }
  const fields = type.node.fields ?? {};
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const name = fields[key] ? key : fields[camel(key)] ? camel(key) : undefined;
    if (!name) {
      // A request message's own fields (a `body: "*"` request) are reported without a path.
      const where = at ? ` at '${at}'` : "";
      violations.push({
        field: at || key,
        description: `Invalid JSON payload received. Unknown name ${JSON.stringify(key)}${where}: Cannot find field.`,
      });
      continue;
    }
    const field = fields[name]!;
    out[name] = walkField(field, item, at ? `${at}.${snake(name)}` : snake(name), type.name, violations);
  }
  return out;
}

function walkField(
  field: FieldDescriptor,
  value: unknown,
  at: string,
  scope: string,
  violations: SchemaViolation[],
): unknown {
  if (value === null || value === undefined) return value;
  if (field.keyType) {
    if (!isObject(value)) {
      violations.push(invalidValue(at, "map", value));
      return value;
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      out[key] = walkSingle(field.type, item, `${at}[${JSON.stringify(key)}]`, scope, violations);
    return out;
  }
  if (field.rule === "repeated") {
    if (!Array.isArray(value)) {
      violations.push({ field: at, description: `Invalid value at '${at}': a list is expected.` });
      return value;
    }
    return value.map((item, i) => walkSingle(field.type, item, `${at}[${i}]`, scope, violations));
  }
  return walkSingle(field.type, value, at, scope, violations);
}

function walkSingle(
  typeName: string,
  value: unknown,
  at: string,
  scope: string,
  violations: SchemaViolation[],
): unknown {
  if (SCALARS.has(typeName)) return checkScalar(typeName, value, at, violations);
  const resolved = resolveType(typeName, scope);
  if (!resolved || OPAQUE_TYPES.has(resolved.name)) return value;
  if (resolved.kind === "enum") return checkEnum(resolved, value, at, violations);
  return walkMessage({ name: resolved.name, node: resolved.node }, value, at, violations);
}

function checkEnum(
  type: { name: string; node: Namespace },
  value: unknown,
  at: string,
  violations: SchemaViolation[],
): unknown {
  const values = type.node.values ?? {};
  // proto3: the zero value is the default, which JSON leaves out.
  if (typeof value === "string" && value in values) return values[value] === 0 ? undefined : value;
  const number = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  const byNumber = Object.entries(values).find(([, n]) => n === number);
  if (byNumber && (typeof value === "number" || /^\d+$/.test(String(value))))
    return byNumber[1] === 0 ? undefined : byNumber[0];
  violations.push(invalidValue(at, type.name, value));
  return value;
}

function checkScalar(typeName: string, value: unknown, at: string, violations: SchemaViolation[]): unknown {
  const ok =
    typeName === "string" || typeName === "bytes"
      ? typeof value === "string"
      : typeName === "bool"
        ? typeof value === "boolean"
        : typeof value === "number" ||
          (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value)));
  if (!ok)
    violations.push({
      field: at,
      description: `Invalid value at '${at}' (${typeName}), ${JSON.stringify(value)}`,
    });
  return value;
}

/** One 400 for every violation, message and BadRequest details as Google sends them. */
export function payloadError(violations: SchemaViolation[]): ApiError {
  return new ApiError("INVALID_ARGUMENT", violations.map((v) => v.description).join("\n"), [
    { "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: violations },
  ]);
}

/**
 * Checks an update mask against a message: each path names fields that exist, walking into
 * singular message fields only. Returns the paths in lowerCamelCase, or the unknown ones.
 */
export function checkFieldMask(
  type: MessageType,
  paths: readonly string[],
): { paths: string[][]; unknown: string[] } {
  const out: string[][] = [];
  const unknown: string[] = [];
  for (const path of paths) {
    let current: Resolved | undefined = { kind: "message", name: type.name, node: type.node };
    const parts: string[] = [];
    let bad = false;
    for (const raw of path.split(".")) {
      const fields: Record<string, FieldDescriptor> =
        current?.kind === "message" ? (current.node.fields ?? {}) : {};
      const name = fields[raw] ? raw : fields[camel(raw)] ? camel(raw) : undefined;
      if (!name || !current) {
        bad = true;
        break;
      }
      parts.push(name);
      const field: FieldDescriptor = fields[name]!;
      current =
        field.rule === "repeated" || field.keyType ? undefined : resolveType(field.type, current.name);
    }
    if (bad) unknown.push(path);
    else out.push(parts);
  }
  return { paths: out, unknown };
}
