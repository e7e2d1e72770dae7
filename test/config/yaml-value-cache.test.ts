import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import * as z from "zod";
import { parseYamlFile } from "../../deploy/config/yaml-file.js";
import { parseYamlSource } from "../../deploy/config/yaml-source.js";
import { useYamlValueCache, YamlValueCache } from "../../deploy/config/yaml-value-cache.js";
import { testdir } from "../helpers/testdir.js";

const TEXT = "kind: staging\nservice:\n  name: chat-staging\n  regions: [europe-west1]\n";
const BUILD = "a".repeat(64);

afterEach(() => useYamlValueCache(undefined));

/** A cache of `build` in `dir`, as a new process opens it. */
const reopen = (dir: string, build = BUILD) => YamlValueCache.open(dir, build);

describe("the YAML value cache", () => {
  it("gives a text parsed cleanly in an earlier run its value, a copy per lookup", async () => {
    const dir = join(await testdir({}), "cache");
    const first = reopen(dir);
    expect(first.lookup(TEXT)).toBeUndefined();
    first.remember(TEXT, { kind: "staging", service: { name: "chat-staging" } });
    first.save();

    const second = reopen(dir);
    const one = second.lookup(TEXT)?.value as { service: { name: string } };
    expect(one).toEqual({ kind: "staging", service: { name: "chat-staging" } });
    one.service.name = "changed by a caller";
    expect(second.lookup(TEXT)?.value).toEqual({ kind: "staging", service: { name: "chat-staging" } });
    expect(second.lookup(`${TEXT}# edited\n`)).toBeUndefined();
  });

  it("is private (0600 in 0700) and belongs to one build", async () => {
    const dir = join(await testdir({}), "cache");
    const cache = reopen(dir);
    cache.remember(TEXT, { kind: "staging" });
    cache.save();
    const [file] = readdirSync(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, file!)).mode & 0o777).toBe(0o600);
    expect(reopen(dir, "b".repeat(64)).lookup(TEXT)).toBeUndefined();
  });

  it("serves parseYamlSource: a known text is not parsed, yet its positions are still found", async () => {
    const dir = join(await testdir({}), "cache");
    const writer = reopen(dir);
    useYamlValueCache(writer);
    const parsed = parseYamlSource("environments/staging.yaml", TEXT);
    writer.save();

    // What the cache says wins over the text: proof the value came from it, not from a parse.
    const reader = reopen(dir);
    expect(reader.lookup(`yaml\0${TEXT}`)?.value).toEqual(parsed.value);
    reader.remember(`yaml\0${TEXT}`, { kind: "from the cache" });
    useYamlValueCache(reader);
    const cached = parseYamlSource("environments/staging.yaml", TEXT);
    expect(parsed.value).toMatchObject({ kind: "staging" });
    expect(cached.value).toEqual({ kind: "from the cache" });
    expect(cached.diagnostics.items).toEqual([]);
    expect(cached.locate(["service", "regions"])).toEqual(parsed.locate(["service", "regions"]));
    expect(cached.locate(["service", "regions"])).toMatchObject({ line: 4, keyPath: "service.regions" });
  });

  it("keeps nothing of a text with a problem: its diagnostics need the parse every time", async () => {
    const dir = join(await testdir({}), "cache");
    const cache = reopen(dir);
    useYamlValueCache(cache);
    const broken = "kind: staging\nkind: production\n";
    expect(parseYamlSource("environments/x.yaml", broken).diagnostics.hasErrors).toBe(true);
    expect(cache.lookup(`yaml\0${broken}`)).toBeUndefined();
    expect(parseYamlSource("environments/x.yaml", broken).diagnostics.hasErrors).toBe(true);
  });

  it("keeps a schema's validated value only when the loader names the schema, and only a valid one", async () => {
    const dir = join(await testdir({}), "cache");
    const cache = reopen(dir);
    useYamlValueCache(cache);
    let validations = 0;
    const schema = z.object({ kind: z.string() }).transform((value) => {
      validations += 1;
      return { ...value, validated: true };
    });
    const file = "environments/staging.yaml";
    const first = parseYamlFile(file, TEXT, schema, { cacheAs: "environment" });
    const again = parseYamlFile(file, TEXT, schema, { cacheAs: "environment" });
    expect(first.value).toMatchObject({ kind: "staging", validated: true });
    expect(again).toMatchObject({ status: "valid", value: first.value, raw: first.raw });
    expect(again.locate(["service", "name"])).toMatchObject({ line: 3 });
    expect(validations).toBe(1);

    parseYamlFile(file, TEXT, schema);
    expect(validations).toBe(2);
    const invalid = "kind: 3\n";
    expect(parseYamlFile(file, invalid, schema, { cacheAs: "environment" }).status).toBe("invalid");
    expect(parseYamlFile(file, invalid, schema, { cacheAs: "environment" }).diagnostics.hasErrors).toBe(true);
  });

  it("stores no value that would not come back the same (a class instance)", async () => {
    const cache = reopen(join(await testdir({}), "cache"));
    cache.remember("url", { at: new URL("https://example.test/") });
    cache.remember("plain", { at: "https://example.test/" });
    expect(cache.lookup("url")).toBeUndefined();
    expect(cache.lookup("plain")?.value).toEqual({ at: "https://example.test/" });
  });
});
