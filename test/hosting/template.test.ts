import { describe, expect, it } from "vitest";
import { webDigest } from "../../deploy/hosting/template/digest.js";
import { checkEquivalence } from "../../deploy/hosting/template/equivalence.js";
import { placeholdersFor } from "../../deploy/hosting/template/placeholders.js";
import { type BuildFile, SubstitutionRefused, substitute } from "../../deploy/hosting/template/substitute.js";
import { verifyPlaceholders } from "../../deploy/hosting/template/verify-placeholders.js";

const NONCE = "0123456789abcdef";
const P = placeholdersFor(["URL", "NAME"], NONCE);
const file = (path: string, text: string): BuildFile => ({ path, content: Buffer.from(text) });
const text = (files: BuildFile[], path: string) =>
  files.find((f) => f.path === path)!.content.toString("utf8");

describe("substitution", () => {
  it("escapes a value for the string literal, JSON or HTML it sits in", () => {
    const value = `it's "x" \\ \`y\` \${z} </script>\n`;
    const files = [
      file("/a.js", `a="${P.URL}";b='${P.URL}';c=\`${P.URL}\`;`),
      file("/a.json", `{"u":"${P.URL}"}`),
      file("/index.html", `<title>${P.URL}</title><script>var u="${P.URL}"</script>`),
    ];
    const out = substitute(files, P, { URL: value, NAME: "n" }, NONCE);
    const js = text(out, "/a.js");
    // Evaluating the substituted code gives the value back, in every quote style.
    const [a, b, c] = new Function(`let a,b,c;${js}return [a,b,c];`)() as string[];
    expect([a, b, c]).toEqual([value, value, value]);
    expect(JSON.parse(text(out, "/a.json")).u).toBe(value);
    const html = text(out, "/index.html");
    expect(html).toContain("<title>it&#39;s &quot;x&quot; \\ `y` ${z} &lt;/script&gt;\n</title>");
    expect(html).not.toMatch(/var u="[^"]*<\/script/);
  });

  it("leaves files without placeholders as they are and refuses what it can't place", () => {
    const untouched = file("/b.css", "body{}");
    const [same] = substitute([untouched], P, { URL: "u", NAME: "n" }, NONCE);
    expect(same).toBe(untouched);
    // Outside any string literal a plain URL may go in, a value needing escapes may not.
    const bare = file("/c.js", `const u = ${P.URL};`);
    expect(text(substitute([bare], P, { URL: "wss://a.b/c?d=1", NAME: "n" }, NONCE), "/c.js")).toBe(
      "const u = wss://a.b/c?d=1;",
    );
    expect(() => substitute([bare], P, { URL: 'x"; alert(1); "', NAME: "n" }, NONCE)).toThrow(
      SubstitutionRefused,
    );
    expect(() => substitute([file("/d.js", `"${P.NAME}"`)], P, { URL: "u" }, NONCE)).toThrow(
      /NAME: this environment sets no value/,
    );
    expect(() => substitute([file("/e.js", `"${P.URL}"`)], P, { URL: P.NAME!, NAME: "n" }, NONCE)).toThrow(
      /looks like a placeholder/,
    );
  });
});

describe("placeholder verification", () => {
  const refs = new Map([["URL", ["src/main.js"]]]);
  it("accepts whole placeholders and ignores variables the source never uses", () => {
    expect(
      verifyPlaceholders({
        files: [file("/a.js", `x="${P.URL}"`)],
        placeholders: P,
        nonce: NONCE,
        references: refs,
      }),
    ).toEqual([]);
  });

  it("names the file and variable of a split, case-folded or missing placeholder", () => {
    const split = file("/assets/a-1.js", `x="__ECHOGATE_URL_"+"${NONCE}__"`);
    expect(verifyPlaceholders({ files: [split], placeholders: P, nonce: NONCE, references: refs })).toEqual([
      expect.objectContaining({
        key: "URL",
        file: "/assets/a-1.js",
        reason: expect.stringContaining("split"),
      }),
    ]);
    const folded = file("/a.js", `x="${P.URL!.toLowerCase()}"`);
    expect(
      verifyPlaceholders({ files: [folded], placeholders: P, nonce: NONCE, references: refs })[0],
    ).toMatchObject({
      key: "URL",
      file: "/a.js",
    });
    const hashed = file("/a.js", `x="9f86d081884c7d65"`);
    expect(verifyPlaceholders({ files: [hashed], placeholders: P, nonce: NONCE, references: refs })).toEqual([
      expect.objectContaining({
        key: "URL",
        file: "src/main.js",
        reason: expect.stringContaining("not in the build output"),
      }),
    ]);
  });
});

describe("equivalence of per-environment rebuilds", () => {
  /** A tiny bundler: chunk names carry a hash of their content, the entry refers to the chunk by name. */
  function build(url: string, extra = ""): BuildFile[] {
    const chunk = `export const url = ${JSON.stringify(url)};${extra}`;
    const chunkName = `chunk-${webDigest([file("/x", chunk)]).slice(0, 8)}.js`;
    const entry = `import("./${chunkName}");console.log('${url.replaceAll("'", "\\'")}')`;
    const entryName = `index-${webDigest([file("/x", entry)]).slice(0, 8)}.js`;
    return [
      file("/index.html", `<script type=module src="/assets/${entryName}"></script>`),
      file(`/assets/${entryName}`, entry),
      file(`/assets/${chunkName}`, chunk),
      file("/assets/logo.svg", "<svg/>"),
    ];
  }
  const staging = { values: { URL: "wss://chat-staging-abcdefghij-uc.a.run.app" } };
  const production = { values: { URL: "wss://chat-production-abcdefghij-uc.a.run.app" } };

  it("passes a deterministic rebuild whose hashed names changed with the values", () => {
    const result = checkEquivalence({
      gated: { files: build(staging.values.URL), ...staging },
      candidate: { files: build(production.values.URL), ...production },
    });
    expect(result).toEqual({ equivalent: true, files: 4, renamed: 2 });
  });

  it("refuses any other difference, naming the first differing file and byte", () => {
    const result = checkEquivalence({
      gated: { files: build(staging.values.URL), ...staging },
      candidate: { files: build(production.values.URL, "/*v2*/"), ...production },
    });
    expect(result.equivalent).toBe(false);
    const chunk = `export const url = ${JSON.stringify(production.values.URL)};`;
    expect(result.difference).toMatchObject({
      file: expect.stringMatching(/^\/assets\/chunk-/),
      offset: chunk.length,
    });
    // An extra file is a difference too.
    const extra = checkEquivalence({
      gated: { files: build(staging.values.URL), ...staging },
      candidate: { files: [...build(production.values.URL), file("/robots.txt", "x")], ...production },
    });
    expect(extra.difference).toMatchObject({ file: "/robots.txt", reason: "is not in the gated build" });
  });
});

describe("web store", () => {
  it("gives back a stored template by digest, and nothing once its bytes no longer hash to it", async () => {
    const { testdir } = await import("../helpers/testdir.js");
    const { loadWeb, saveWeb } = await import("../../deploy/hosting/template/web-store.js");
    const { writeFile } = await import("node:fs/promises");
    const dir = await testdir({});
    const files = [file("/index.html", `<b>${P.NAME}</b>`), file("/assets/a-1.js", `"${P.URL}"`)];
    const digest = webDigest(files, P);
    await saveWeb(dir, { digest, kind: "template", placeholders: P, nonce: NONCE, files });
    expect((await loadWeb(dir, "template", digest))?.files.map((f) => f.content.toString())).toEqual(
      files.map((f) => f.content.toString()),
    );
    await writeFile(`${dir}/.echogate/web/templates/${digest}/files/assets/a-1.js`, `"wss://elsewhere"`);
    expect(await loadWeb(dir, "template", digest)).toBeUndefined();
  });
});
