import { describe, expect, it } from "vitest";
import { echogate } from "../helpers/project.js";
import { viteProject } from "./vite-project.js";

interface CheckJson {
  ok: boolean;
  problems: { severity: string; code: string; message: string; file: string | null; line: number | null }[];
}

describe("check: what static hosting can't serve", () => {
  it("names each server-side Next.js feature with file and line, and fails the check", async () => {
    const cwd = await viteProject((files) => {
      files["package.json"] = JSON.stringify({
        name: "next-chat",
        scripts: { build: "next build" },
        dependencies: { next: "16.5.0" },
      });
      files["next.config.mjs"] = 'export default { output: "export" };\n';
      files["pages/api/rooms.js"] = "export default function handler(req, res) {}\n";
      files["app/room/page.js"] = 'import x from "y";\nexport const revalidate = 30;\n';
      for (const name of ["staging", "production"])
        files[`environments/${name}.yaml`] = files[`environments/${name}.yaml`]!.replace(
          "publicDir: dist",
          "publicDir: out",
        );
    });
    const result = await echogate(cwd, {}, "check", "--json");
    expect(result.exitCode).toBe(1);
    const problems = result.json<CheckJson>().problems.filter((p) => p.code === "web.static-hosting");
    expect(problems.map((p) => `${p.file}:${p.line ?? ""}`)).toEqual([
      "app/room/page.js:2",
      "pages/api/rooms.js:",
    ]);
    expect(problems[1]!.message).toBe(
      "Can't serve Next.js's API route from static hosting (production's hosting.publicDir out, staging's hosting.publicDir out): pages/api routes run on a server; move them to the realtime server (or a Cloud Run service behind a firebase.json rewrite).",
    );
  });

  it("reports an invalid environments/bundle-scan.yaml entry at its line", async () => {
    const cwd = await viteProject((files) => {
      files["environments/bundle-scan.yaml"] = "accept:\n  - host: localhost:3001\n    environments: [qa]\n";
    });
    const result = await echogate(cwd, {}, "check", "--json");
    expect(result.exitCode).toBe(1);
    const problems = result
      .json<CheckJson>()
      .problems.filter((p) => p.file === "environments/bundle-scan.yaml");
    expect(problems.map((p) => p.line)).toContain(2);
    expect(problems.map((p) => p.message).join("\n")).toMatch(/reason/);
  });
});
