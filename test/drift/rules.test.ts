import { describe, expect, it } from "vitest";
import { defaultRules } from "../../deploy/drift/default-rules.js";
import { evaluateDrift } from "../../deploy/drift/evaluate.js";
import type { DriftPolicy } from "../../deploy/drift/rules.js";
import { DIGEST_A, DIGEST_B, declared, driftFacts, target, withTarget } from "./fixtures.js";

const rulesFired = (facts: ReturnType<typeof driftFacts>, policy?: DriftPolicy) =>
  evaluateDrift(facts, policy).findings.map((f) => `${f.severity}:${f.rule}`);

const settings = target("x").settings!;

describe("evaluateDrift (pure rules)", () => {
  it("passes a clean set", () => {
    const result = evaluateDrift(driftFacts());
    expect(result.findings).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("every rule id is unique and every rule names an interpreter", () => {
    const ids = defaultRules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("production running a digest that never passed staging is an error", () => {
    const facts = withTarget(driftFacts(), "production", {
      digest: DIGEST_B,
      image: `local/chat@${DIGEST_B}`,
    });
    const result = evaluateDrift(facts);
    expect(result.findings.map((f) => f.rule)).toContain("promoted-digest");
    const finding = result.findings.find((f) => f.rule === "promoted-digest")!;
    expect(finding.message).toMatch(
      /production runs sha256:bbbbbbbbbbbb, which never passed the gate in staging/,
    );
    expect(finding.severity).toBe("error");
  });

  it("production lagging behind staging is fine when its digest passed staging", () => {
    let facts = withTarget(driftFacts(), "staging", {
      digest: DIGEST_B,
      passedDigests: [DIGEST_A, DIGEST_B],
    });
    facts = withTarget(facts, "local", { digest: DIGEST_B });
    expect(rulesFired(facts)).not.toContain("error:promoted-digest");
  });

  it("without gate records, production must run what staging runs", () => {
    let facts = driftFacts();
    for (const env of ["local", "staging", "production"])
      facts = withTarget(facts, env, { passedDigests: [], gate: { result: "none" } });
    expect(rulesFired(facts)).toEqual(["warning:gate-passed", "warning:gate-passed"]);
    facts = withTarget(facts, "production", { digest: DIGEST_B });
    const finding = evaluateDrift(facts).findings.find((f) => f.rule === "promoted-digest");
    expect(finding?.message).toMatch(/no gate records/);
  });

  it("a split that sends a share of traffic to a revision whose gate failed is a gate-passed finding", () => {
    const facts = withTarget(driftFacts(), "production", {
      servingPercent: 60,
      gate: {
        result: "passed",
        ungatedShares: [{ revision: "chat-production-00002-bad", percent: 40, result: "failed" }],
      },
    });
    const finding = evaluateDrift(facts).findings.find((f) => f.rule === "gate-passed");
    expect(finding?.message).toBe(
      "production sends 40% of its traffic to chat-production-00002-bad, whose smoke gate failed.",
    );
    expect(finding?.hint).toMatch(/echogate rollback production/);
  });

  it("a missing service's hint names the command that ships to it (promote for production)", () => {
    const facts = withTarget(driftFacts(), "production", { status: "missing" });
    const finding = evaluateDrift(facts).findings.find((f) => f.rule === "service-deployed");
    expect(finding?.hint).toContain("echogate promote production");
  });

  it("different command/args is an error naming both", () => {
    const facts = withTarget(driftFacts(), "production", {
      args: ["signaling-server-production.js"],
      command: ["node"],
    });
    const finding = evaluateDrift(facts).findings.find((f) => f.rule === "entry")!;
    expect(finding.message).toContain("production node signaling-server-production.js");
    expect(finding.message).toContain("local and staging (image default)");
  });

  it("a missing env key is an error naming where it is set; environment-specific keys are allowed", () => {
    const base = driftFacts();
    const extra = { key: "REDIS_URL", value: "sha256:000000000000", secret: false };
    let facts = withTarget(base, "staging", { env: [...target("staging").env!, extra] });
    facts = withTarget(facts, "local", { env: [...target("local").env!, extra] });
    const finding = evaluateDrift(facts).findings.find((f) => f.rule === "env-keys")!;
    expect(finding.message).toBe("REDIS_URL is set in local and staging but missing in production.");
    expect(finding.location).toMatchObject({
      file: "environments/production.yaml",
      keyPath: "service.envFile",
    });
    const port = { key: "PORT", value: "sha256:111111111111", secret: false };
    expect(rulesFired(withTarget(base, "local", { env: [...target("local").env!, port] }))).toEqual([]);
  });

  it("env values may differ by default, and a repo can require them equal", () => {
    const facts = driftFacts();
    expect(rulesFired(facts)).toEqual([]);
    const policy: DriftPolicy = {
      file: "environments/drift.yaml",
      broadcast: undefined,
      overrides: [
        {
          rule: "env-values",
          severity: "warning",
          ignore: ["BUILD_TARGET"],
          reason: "test",
          location: { file: "d" },
        },
      ],
    };
    expect(rulesFired(facts, policy)).toEqual([]);
    const strict = { ...policy, overrides: [{ ...policy.overrides[0]!, ignore: [] }] };
    expect(rulesFired(facts, strict)).toEqual(["warning:env-values"]);
  });

  it("a request timeout under 300 s warns (WebSockets are cut at the timeout)", () => {
    const facts = withTarget(driftFacts(), "staging", { settings: { ...settings, timeoutSeconds: 60 } });
    const findings = evaluateDrift(facts).findings;
    const finding = findings.find((f) => f.rule === "websocket-timeout")!;
    expect(finding).toMatchObject({
      severity: "warning",
      location: { file: "environments/staging.yaml", line: 7 },
    });
    expect(finding.message).toMatch(/closes every WebSocket after 60 s/);
    expect(findings.find((f) => f.rule === "request-timeout-equal")?.severity).toBe("warning");
  });

  it("session affinity off while polling is allowed is an error; without polling it is not", () => {
    const off = { settings: { ...settings, sessionAffinity: false } };
    let facts = withTarget(driftFacts(), "staging", off);
    expect(rulesFired(facts)).not.toContain("error:polling-affinity");
    facts = {
      ...facts,
      environments: facts.environments.map((e) =>
        e.name === "staging"
          ? { ...e, pollingAllowed: true, pollingReason: "smoke.echo.transports includes polling" }
          : e,
      ),
    };
    expect(rulesFired(facts)).toContain("error:polling-affinity");
    const viaEnv = withTarget(driftFacts(), "local", { ...off, pollingEnv: "SOCKETIO_TRANSPORTS" });
    expect(evaluateDrift(viaEnv).findings.find((f) => f.rule === "polling-affinity")?.message).toMatch(
      /SOCKETIO_TRANSPORTS/,
    );
  });

  it("max instances > 1 without a broadcast adapter: messages will not reach other instances", () => {
    const three = { settings: { ...settings, maxInstances: 3 } };
    const facts = withTarget(driftFacts(), "production", three);
    const finding = evaluateDrift(facts).findings.find((f) => f.rule === "broadcast-adapter")!;
    expect(finding.message).toMatch(/messages will not reach clients on other instances/);
    // A Redis URL in the env, or a declaration in drift.yaml, answers it.
    const redis = { key: "REDIS_URL", value: "***", secret: true };
    const withRedis = withTarget(driftFacts(), "production", {
      ...three,
      env: [...target("production").env!, redis],
    });
    expect(evaluateDrift(withRedis).findings.map((f) => f.rule)).not.toContain("broadcast-adapter");
    const declaredPolicy: DriftPolicy = {
      file: "environments/drift.yaml",
      overrides: [],
      broadcast: { adapter: "redis", reason: "in code", location: { file: "environments/drift.yaml" } },
    };
    expect(rulesFired(facts, declaredPolicy)).not.toContain("error:broadcast-adapter");
    // max instances themselves may differ.
    expect(rulesFired(facts, declaredPolicy)).toEqual([]);
  });

  it("service.backplane: redis in the environment answers the broadcast rule too", () => {
    const facts = withTarget(driftFacts(), "production", { settings: { ...settings, maxInstances: 3 } });
    const withBackplane = {
      ...facts,
      environments: facts.environments.map((e) =>
        e.name === "production" ? { ...e, backplane: "redis" as const } : e,
      ),
    };
    expect(evaluateDrift(withBackplane).findings.map((f) => f.rule)).not.toContain("broadcast-adapter");
    expect(evaluateDrift(facts).findings.map((f) => f.rule)).toContain("broadcast-adapter");
  });

  it("an override turns a rule off and is reported with its reason", () => {
    const facts = withTarget(driftFacts(), "staging", { settings: { ...settings, timeoutSeconds: 60 } });
    const policy: DriftPolicy = {
      file: "environments/drift.yaml",
      broadcast: undefined,
      overrides: [
        {
          rule: "websocket-timeout",
          severity: "off",
          reason: "no WebSockets here",
          location: { file: "environments/drift.yaml", line: 3 },
        },
      ],
    };
    const result = evaluateDrift(facts, policy);
    expect(result.findings.map((f) => f.rule)).toEqual(["request-timeout-equal"]);
    expect(result.rules.find((r) => r.id === "websocket-timeout")).toMatchObject({
      severity: "off",
      defaultSeverity: "warning",
      override: { reason: "no WebSockets here" },
    });
  });

  it("a missing service, an unreachable /health and a wrong /health version are each reported", () => {
    let facts = withTarget(driftFacts(), "local", { status: "missing" });
    facts = withTarget(facts, "staging", {
      health: { status: "unreachable", url: "http://s/health", detail: "connection refused", ms: 1 },
    });
    facts = withTarget(facts, "production", {
      health: { status: "ok", url: "http://p/health", version: "0.9.0+old", ms: 1 },
    });
    expect(rulesFired(facts).sort()).toEqual([
      "error:health-version",
      "error:service-deployed",
      "warning:health-reachable",
    ]);
  });

  it("a web front end pointing at another environment's server is an error", () => {
    const staging = target("staging");
    const facts = withTarget(driftFacts(), "production", {
      web: {
        url: "https://prod.example/echogate.json",
        status: "ok",
        serverUrl: staging.uri!.replace("http", "ws"),
      },
    });
    const finding = evaluateDrift(facts).findings.find((f) => f.rule === "web-server-url")!;
    expect(finding.message).toMatch(/connects to staging's server/);
  });

  it("a web config that couldn't be read is a warning (its server URL is unknown), once per environment", () => {
    const web = {
      url: "sites/chat/channels/live",
      status: "unreachable" as const,
      detail: "connection refused",
    };
    const facts = driftFacts({
      environments: [declared("staging", { regions: ["europe-west1", "us-central1"] })],
      targets: [
        target("staging", { column: "staging/europe-west1", web }),
        target("staging", { column: "staging/us-central1", region: "us-central1", web }),
      ],
    });
    const findings = evaluateDrift(facts).findings;
    expect(findings).toEqual([
      expect.objectContaining({
        rule: "web-reachable",
        severity: "warning",
        columns: ["staging/europe-west1", "staging/us-central1"],
        message:
          "Can't tell which server the web front end of staging connects to: connection refused (sites/chat/channels/live).",
      }),
    ]);
  });

  it("a source entry drift can't read is an error by default: parity it can't prove blocks", () => {
    const facts = driftFacts({ mode: "source", targets: [] });
    facts.source.dockerfile = {
      ...facts.source.dockerfile,
      entry: null,
      detail: "Dockerfile.minimal runs /app/other.js, but can't trace it to a project file.",
    };
    expect(rulesFired(facts)).toEqual(["error:source-entry-known"]);
    expect(defaultRules.find((r) => r.id === "source-entry-known")?.severity).toBe("error");
  });

  it("regions of one environment must run one digest", () => {
    const facts = driftFacts({
      environments: [declared("staging", { regions: ["europe-west1", "us-central1"] })],
      targets: [
        target("staging", { column: "staging/europe-west1" }),
        target("staging", { column: "staging/us-central1", region: "us-central1", digest: DIGEST_B }),
      ],
    });
    expect(rulesFired(facts)).toContain("error:digest-regions");
  });

  it("source facts: different server entries are an error with file:line", () => {
    const facts = driftFacts({ mode: "source", targets: [] });
    facts.source.devScript = { ...facts.source.devScript, entry: "signaling-server-sqlite-enhanced.js" };
    const result = evaluateDrift(facts);
    expect(result.findings.map((f) => f.rule)).toEqual(["source-entry", "source-entry"]);
    expect(result.findings[0]!.message).toContain("Dockerfile.minimal:12");
    expect(result.findings[0]!.message).toContain("package.json:18");
    // Live rules do not run on source facts.
    expect(result.rules.every((r) => defaultRules.find((d) => d.id === r.id)!.scope === "source")).toBe(true);
  });

  it("env files with different key sets are an error; environment-specific keys are not", () => {
    const facts = driftFacts({ mode: "source", targets: [] });
    facts.environments[0]!.envFile.keys.push({ key: "PORT", line: 3 }, { key: "REDIS_URL", line: 4 });
    const findings = evaluateDrift(facts).findings;
    expect(findings.map((f) => f.message)).toEqual([
      "environments/.env.staging (staging) has no REDIS_URL, but local set it (environments/.env.local:4).",
      "environments/.env.production (production) has no REDIS_URL, but local set it (environments/.env.local:4).",
    ]);
  });
});
