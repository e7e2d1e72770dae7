import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readAdcFile } from "../../deploy/platform/cloudrun/adc-file.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "echogate-adc-file-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(file: string, text: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

describe("the ADC file, looked up as google-auth-library does", () => {
  it("GOOGLE_APPLICATION_CREDENTIALS first, then CLOUDSDK_CONFIG, then ~/.config/gcloud (%APPDATA%\\gcloud on Windows)", async () => {
    const explicit = await write(path.join(dir, "key.json"), '{"type":"service_account"}');
    const config = await write(path.join(dir, "cfg", "application_default_credentials.json"), '{"type":"a"}');
    const home = await write(
      path.join(dir, "home", ".config", "gcloud", "application_default_credentials.json"),
      '{"type":"b"}',
    );
    const appdata = await write(
      path.join(dir, "appdata", "gcloud", "application_default_credentials.json"),
      '{"type":"c"}',
    );
    const HOME = path.join(dir, "home");
    const CLOUDSDK_CONFIG = path.join(dir, "cfg");
    expect(
      (await readAdcFile({ GOOGLE_APPLICATION_CREDENTIALS: explicit, CLOUDSDK_CONFIG, HOME }))?.path,
    ).toBe(explicit);
    expect(await readAdcFile({ CLOUDSDK_CONFIG, HOME })).toEqual({ path: config, json: { type: "a" } });
    expect((await readAdcFile({ HOME }, "linux"))?.path).toBe(home);
    expect((await readAdcFile({ APPDATA: path.join(dir, "appdata"), HOME }, "win32"))?.path).toBe(appdata);
  });

  it("no file in gcloud's directory → none (the metadata server); a named file that is missing → an error naming the variable", async () => {
    expect(await readAdcFile({ HOME: path.join(dir, "nobody") })).toBeUndefined();
    expect(await readAdcFile({})).toBeUndefined();
    await expect(
      readAdcFile({ GOOGLE_APPLICATION_CREDENTIALS: path.join(dir, "gone.json") }),
    ).rejects.toMatchObject({
      code: "identity.credentials-unreadable",
      exitCode: 2,
      hint: expect.stringContaining("GOOGLE_APPLICATION_CREDENTIALS"),
    });
  });

  it("a file that is not a JSON object is refused without quoting it (it holds secrets)", async () => {
    const file = await write(path.join(dir, "bad.json"), '"private_key": "-----BEGIN PRIVATE KEY-----');
    const failure = await readAdcFile({ GOOGLE_APPLICATION_CREDENTIALS: file }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: "identity.credentials-unreadable" });
    expect(String((failure as Error).message)).not.toContain("PRIVATE KEY");
  });

  it("refuses a credential file that is a FIFO instead of waiting on it", async () => {
    const fifo = path.join(dir, "key.json");
    execFileSync("mkfifo", [fifo]);
    await expect(readAdcFile({ GOOGLE_APPLICATION_CREDENTIALS: fifo })).rejects.toMatchObject({
      code: "identity.credentials-unreadable",
      exitCode: 2,
    });
  });
});
