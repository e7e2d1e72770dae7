import type { Diagnostic } from "../../core/diagnostics.js";
import { ExitCode } from "../../core/exit-codes.js";
import { checkReportTarget, JUNIT_REPORT, writeReportFile } from "../../core/report-target.js";
import { sharedBackendNotice } from "../../drift/evaluators/source.js";
import { loadDriftPolicy } from "../../drift/policy-file.js";
import { sourceFindings } from "../../drift/source-findings.js";
import { renderCheck } from "../../envfiles/render-check.js";
import { checkFrontEnds } from "../../hosting/check-front-end.js";
import { renderCheckJunit } from "../../report/junit.js";
import { describeAddon } from "../../source/native-addons.js";
import type { ArgsOf, CommandContext } from "../command.js";
import type { checkShape } from "../commands/check.js";

export async function run(args: ArgsOf<typeof checkShape>, ctx: CommandContext): Promise<number> {
  const junit =
    args.junit !== undefined ? await checkReportTarget(JUNIT_REPORT, ctx.cwd, args.junit) : undefined;
  const report = await ctx.project.check(args.env.length > 0 ? args.env : undefined);
  // environments/drift.yaml is configuration too: an invalid one would only surface at the next drift run.
  const { environments } = await ctx.project.environments();
  const drift = await loadDriftPolicy(
    ctx.project.dir,
    environments.map((environment) => environment.name),
  );
  // The source rules of `drift --source` (server entries, native addons, listen host, gate bypass,
  // env-file keys, shared backends), run by the same code over the same files: the two agree.
  const configReported = report.diagnostics.some((d) => d.severity === "error");
  const source = await sourceFindings(ctx.project, ctx.platform, drift, configReported);
  const native = source?.source.native;
  // A key an env file lacks is reported once: by the env-file rules when they already name it.
  const said = new Set(report.diagnostics.flatMap((d) => (d.keyPath ? [`${d.file}\u0000${d.keyPath}`] : [])));
  const fromSource = (source?.diagnostics ?? []).filter(
    (d) => !(d.code === "drift.env-file-keys" && said.has(`${d.file}\u0000${d.keyPath}`)),
  );
  const selected = args.env.length > 0 ? environments.filter((e) => args.env.includes(e.name)) : environments;
  const frontEnds = await checkFrontEnds(
    ctx.project.dir,
    selected,
    environments.map((e) => e.name),
  );
  const diagnostics = [...report.diagnostics, ...drift.diagnostics.items, ...fromSource, ...frontEnds];
  const errors = diagnostics.filter((d) => d.severity === "error");
  const warnings = diagnostics.filter((d) => d.severity === "warning");
  // A source finding (a Dockerfile that can't carry its addon, a shared Redis) fails the check (exit 1) like an invalid env file.
  const checked =
    report.exitCode === ExitCode.ok && errors.length > 0 ? ExitCode.checkFailed : report.exitCode;
  const exitCode = drift.diagnostics.hasErrors ? Math.max(checked, ExitCode.config) : checked;
  ctx.output.diagnostics(errors);
  ctx.output.diagnostics(warnings);
  const shared = (source?.source.sharedBackends ?? []).filter((backend) => backend.declared !== undefined);
  for (const backend of shared) ctx.output.info(`Notice: ${sharedBackendNotice(backend)}`);
  if (junit)
    await writeReportFile(
      junit,
      ctx.redactor.redact(renderCheckJunit(report.environments, [...errors, ...warnings])),
    );
  const json = {
    ok: exitCode === ExitCode.ok,
    environments: report.environments,
    matrix: report.matrix,
    nativeAddons: (native?.addons ?? []).map((addon) => ({
      name: addon.name,
      version: addon.version,
      dir: addon.dir,
      evidence: addon.evidence,
      compiles: addon.compiles,
      prebuilt: addon.prebuilt ?? null,
    })),
    nativeAddonsNotLoaded: (native?.unloaded ?? []).map((addon) => addon.name),
    sharedBackends: shared.map((backend) => ({
      key: backend.key,
      backend: backend.backend,
      environments: backend.uses.map((use) => use.environment),
      reason: backend.declared,
    })),
    problems: [...errors, ...warnings].map(toProblem),
  };
  // The matrix comes from `data`, which Output has redacted before any cell is shortened.
  ctx.output.result(json, (data, style) =>
    [
      // The summary counts the source findings too: they fail the check like an env file error.
      renderCheck({ ...report, ok: data.ok, matrix: data.matrix, diagnostics }, style),
      ...(native && native.addons.length > 0
        ? [
            `${style.bold("Native addons")} ${style.dim(`(loaded by ${native.loadedBy?.join(", ") ?? "the server: its imports can't be followed, so every production dependency counts"}, from ${native.source}; checked against ${native.dockerfile ?? "no Dockerfile"})`)}`,
            ...native.addons.map((addon) => `  ${describeAddon(addon)}`),
          ]
        : []),
      ...(native && native.unloaded.length > 0
        ? [
            style.dim(
              `Installed, never loaded by ${native.loadedBy?.join(", ")} (not checked): ${native.unloaded.map((addon) => addon.name).join(", ")}`,
            ),
          ]
        : []),
    ].join("\n"),
  );
  return exitCode;
}

/** Stable JSON shape: every field present, null when unknown. */
function toProblem(diagnostic: Diagnostic) {
  return {
    severity: diagnostic.severity,
    code: diagnostic.code,
    message: diagnostic.message,
    file: diagnostic.file ?? null,
    line: diagnostic.line ?? null,
    column: diagnostic.column ?? null,
    keyPath: diagnostic.keyPath ?? null,
    hint: diagnostic.hint ?? null,
  };
}
