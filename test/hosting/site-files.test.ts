import { symlink } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readSiteDir } from "../../deploy/hosting/site-files.js";
import { testdir } from "../helpers/testdir.js";

describe("readSiteDir publishes only what is inside the project", () => {
  it("refuses a publicDir that is a symlink leading out of the project", async () => {
    const outside = await testdir({ "index.html": "<h1>outside</h1>", "sub/id_rsa": "PRIVATE" });
    const project = await testdir({ "package.json": "{}" });
    await symlink(outside, join(project, "public"));
    await expect(readSiteDir(join(project, "public"), "public", project)).rejects.toMatchObject({
      code: "hosting.outside-project",
      exitCode: 2,
    });
  });

  it("skips symlinked files inside the directory and reads the regular ones", async () => {
    const outside = await testdir({ id_rsa: "PRIVATE" });
    const project = await testdir({ "public/index.html": "<h1>hi</h1>", "public/app.js": "1" });
    await symlink(join(outside, "id_rsa"), join(project, "public", "key.txt"));
    const files = await readSiteDir(join(project, "public"), "public", project);
    expect(files.map((f) => f.path)).toEqual(["/app.js", "/index.html"]);
  });
});
