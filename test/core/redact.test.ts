import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { Output } from "../../deploy/core/output.js";
import { Redactor } from "../../deploy/core/redact.js";

describe("Redactor", () => {
  it("masks every occurrence of every registered secret", () => {
    const redactor = new Redactor();
    redactor.add("hunter22");
    redactor.add("s3cr3t-token");
    expect(redactor.redact("a=hunter22 b=s3cr3t-token c=hunter22")).toBe("a=*** b=*** c=***");
  });

  it("masks a secret containing another secret as a whole", () => {
    const redactor = new Redactor();
    redactor.add("abcd");
    redactor.add("abcdefgh");
    expect(redactor.redact("x abcdefgh y")).toBe("x *** y");
  });

  it("treats secrets as literals, not patterns", () => {
    const redactor = new Redactor();
    redactor.add("a.b*c(d)");
    expect(redactor.redact("aXbbbc(d) a.b*c(d)")).toBe("aXbbbc(d) ***");
  });

  it("ignores values too short to mask safely", () => {
    const redactor = new Redactor();
    redactor.add("1");
    redactor.add("");
    expect(redactor.size).toBe(0);
    expect(redactor.redact("port 1")).toBe("port 1");
  });

  it("redacts nested values, errors and their stacks without touching the original", () => {
    const redactor = new Redactor();
    redactor.add("pa55word");
    const error = new Error("bad value pa55word");
    const input = { list: ["pa55word", 3], nested: { error } };
    const output = redactor.redactDeep(input) as {
      list: unknown[];
      nested: { error: { message: string; stack: string } };
    };
    expect(output.list).toEqual(["***", 3]);
    expect(output.nested.error.message).toBe("bad value ***");
    expect(output.nested.error.stack).not.toContain("pa55word");
    expect(input.list[0]).toBe("pa55word");
  });

  it("copies only what it must: nothing to mask is the same value, an Error still becomes plain data", () => {
    const redactor = new Redactor();
    redactor.add("pa55word");
    const clean = { list: ["public", 3], nested: { cell: "https://example.test" } };
    expect(redactor.redactDeep(clean)).toBe(clean);
    const cyclic: Record<string, unknown> = { value: "public" };
    cyclic.self = cyclic;
    expect(redactor.redactDeep(cyclic)).toBe(cyclic);
    for (const holder of [new Redactor(), redactor]) {
      const failed = holder.redactDeep({ error: new Error("no secret here") }) as { error: unknown };
      expect(failed.error).not.toBeInstanceOf(Error);
      expect(JSON.parse(JSON.stringify(failed)).error.message).toBe("no secret here");
    }
    const deep = { a: { b: { c: ["x", "the pa55word"] } } };
    expect(redactor.redactDeep(deep)).toEqual({ a: { b: { c: ["x", "the ***"] } } });
  });

  it("survives cycles", () => {
    const redactor = new Redactor();
    redactor.add("cyclic-secret");
    const node: Record<string, unknown> = { value: "cyclic-secret" };
    node.self = node;
    const copy = redactor.redactDeep(node) as Record<string, unknown>;
    expect(copy.value).toBe("***");
    expect(copy.self).toBe(copy);
  });

  it("masks a secret URL's host as messages show it (lowercased), but not a loopback host", () => {
    const redactor = new Redactor();
    redactor.add("wss://staging-LEAKME.example.com/socket");
    redactor.add("http://127.0.0.1:8080/private");
    expect(redactor.redact("at staging-leakme.example.com")).toBe("at ***");
    expect(redactor.redact("listening on 127.0.0.1:8080")).toBe("listening on 127.0.0.1:8080");
  });

  it("masks a secret as messages print it: escaped, or one line of a multi-line secret", () => {
    const redactor = new Redactor();
    redactor.add('Back\\slash-"Quoted"-Secret');
    redactor.add("-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----");
    expect(redactor.redact(`LOG_LEVEL=${JSON.stringify('Back\\slash-"Quoted"-Secret')}`)).toBe(
      'LOG_LEVEL="***"',
    );
    expect(redactor.redact("12\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC")).toBe("12\\n***");
    expect(redactor.redact("-----END KEY----- is fine")).toBe("-----END KEY----- is fine");
  });

  it("masks secrets in any case, at either end of the text, next to each other", () => {
    const redactor = new Redactor();
    redactor.add("Tok3n-One");
    redactor.add("tok3n-two-longer");
    expect(redactor.redact("TOK3N-ONE")).toBe("***");
    expect(redactor.redact("tok3n-onetok3n-two-longer!")).toBe("******!");
    expect(redactor.redact("a Tok3n-Tw0 b")).toBe("a Tok3n-Tw0 b");
    expect(redactor.redact("İ Tok3n-One")).toBe("İ ***");
  });

  it("masks a secret URL's credentials wherever they are printed", () => {
    const redactor = new Redactor();
    redactor.add("https://Adm1n:S3cr3tPw@Priv-Host9.Example.COM/k");
    expect(redactor.redact('"https://Adm1n:S3cr3tPw@Priv-Host9.Example.COM/" is not an origin')).not.toMatch(
      /S3cr3tPw|Priv-Host9/i,
    );
  });

  it("keeps dates and other class instances usable for renderers", () => {
    const redactor = new Redactor();
    redactor.add("a-secret-value");
    const at = new Date(0);
    const copy = redactor.redactDeep({ at, note: "a-secret-value" });
    expect(copy.at).toBe(at);
    expect(copy.note).toBe("***");
  });
});

describe("Output.result in human mode", () => {
  it("renders from redacted data, so a renderer that shortens values never prints part of a secret", () => {
    const redactor = new Redactor();
    redactor.add("local-demo-session-secret");
    const stdout = new PassThrough();
    const output = new Output({ redactor, stdout, stderr: new PassThrough() });
    output.result({ cell: "postgres://app:local-demo-session-secret@db/x" }, (data) =>
      data.cell.slice(0, 28),
    );
    const printed = String(stdout.read());
    expect(printed).not.toMatch(/local-demo/);
    expect(printed).toBe("postgres://app:***@db/x\n");
  });
});
