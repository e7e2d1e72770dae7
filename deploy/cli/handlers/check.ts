import type { Diagnostic } from "../../core/diagnostics.js";
import { ExitCode } from "../../core/exit-codes.js";
import { loadDriftPolicy } from "../../drift/policy-file.js";
import { renderCheck } from "../../envfiles/render-check.js";
import { checkFrontEnds } from "../../hosting/check-front-end.js";
import { checkListenHost, listenHostDiagnostics } from "../../source/check-listen-host.js";
import { checkNativeDeps, describeAddon, nativeDepsDiagnostics } from "../../source/check-native-deps.js";
import type { ArgsOf, CommandContext } from "../command.js";
import type { checkShape } from "../commands/check.js";

export async function run(args: ArgsOf<typeof checkShape>, ctx: CommandContext): Promise<number> {
  const report = await ctx.project.check(args.env.length > 0 ? args.env : undefined);
  const layout = await ctx.project.detectedLayout();
  const native = await checkNativeDeps(ctx.project.dir, layout);
  const listenHost = await checkListenHost(ctx.project.dir, layout);
  // environments/drift.yaml is configuration too: an invalid one would only surface at the next drift run.
  const { environments } = await ctx.project.environments();
  const drift = await loadDriftPolicy(
    ctx.project.dir,
    environments.map((environment) => environment.name),
  );
  const selected = args.env.length > 0 ? environments.filter((e) => args.env.includes(e.name)) : environments;
  const frontEnds = await checkFrontEnds(
    ctx.project.dir,
    selected,
    environments.map((e) => e.name),
  );
  const diagnostics = [
    ...report.diagnostics,
    ...drift.diagnostics.items,
    ...nativeDepsDiagnostics(native),
    ...listenHostDiagnostics(listenHost),
    ...frontEnds,
  ];
  const errors = diagnostics.filter((d) => d.severity === "error");
  const warnings = diagnostics.filter((d) => d.severity === "warning");
  // A Dockerfile that can't build or carry a native addon fails the check (exit 1) like an invalid env file.
  const checked =
    report.exitCode === ExitCode.ok && errors.length > 0 ? ExitCode.checkFailed : report.exitCode;
  const exitCode = drift.diagnostics.hasErrors ? Math.max(checked, ExitCode.config) : checked;
  ctx.output.diagnostics(errors);
  ctx.output.diagnostics(warnings);
  const json = {
    ok: exitCode === ExitCode.ok,
    environments: report.environments,
    matrix: report.matrix,
    nativeAddons: native.addons.map((addon) => ({
      name: addon.name,
      version: addon.version,
      dir: addon.dir,
      evidence: addon.evidence,
      compiles: addon.compiles,
    })),
    problems: [...errors, ...warnings].map(toProblem),
  };
  // The matrix comes from `data`, which Output has redacted before any cell is shortened.
  ctx.output.result(json, (data, style) =>
    [
      // The summary counts the preflight findings too: they fail the check like an env file error.
      renderCheck({ ...report, ok: data.ok, matrix: data.matrix, diagnostics }, style),
      ...(native.addons.length > 0
        ? [
            `${style.bold("Native addons")} ${style.dim(`(production dependencies, from ${native.source}; checked against ${native.dockerfile ?? "no Dockerfile"})`)}`,
            ...native.addons.map((addon) => `  ${describeAddon(addon)}`),
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
