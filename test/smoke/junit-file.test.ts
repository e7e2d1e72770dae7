import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PlatformError, UsageError } from "../../deploy/core/errors.js";
import { checkReportTarget, JUNIT_REPORT, writeReportFile } from "../../deploy/core/report-target.js";
import { testdir } from "../helpers/testdir.js";

describe("--junit target", () => {
  it("resolves a path in an existing directory", async () => {
    const cwd = await testdir({ "reports/.keep": "" });
    expect(await checkReportTarget(JUNIT_REPORT, cwd, "reports/j.xml")).toEqual({
      kind: JUNIT_REPORT,
      file: join(cwd, "reports/j.xml"),
      shownAs: "reports/j.xml",
    });
  });

  it.each([
    ["/nonexistent/dir/j.xml", "doesn't exist"],
    ["file.txt/j.xml", "is not a directory"],
    ["reports", "it is a directory"],
  ])("refuses %s with a UsageError naming it", async (path, why) => {
    const cwd = await testdir({ "reports/.keep": "", "file.txt": "x" });
    const refused = checkReportTarget(JUNIT_REPORT, cwd, path);
    await expect(refused).rejects.toBeInstanceOf(UsageError);
    await expect(refused).rejects.toThrow(path);
    await expect(refused).rejects.toThrow(why);
  });

  it("turns a failed write into a typed error naming the path", async () => {
    const cwd = await testdir({});
    const failed = writeReportFile(
      { kind: JUNIT_REPORT, file: join(cwd, "gone/j.xml"), shownAs: "gone/j.xml" },
      "<x/>",
    );
    await expect(failed).rejects.toBeInstanceOf(PlatformError);
    await expect(failed).rejects.toMatchObject({ code: "smoke.junit-unwritable", exitCode: 3 });
    await expect(failed).rejects.toThrow("gone/j.xml");
  });
});
