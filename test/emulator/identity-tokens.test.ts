import { describe, expect, it } from "vitest";
import { IdentityTokens } from "../../packages/emulator/src/identity-tokens.js";

// The token check on its own, with a clock the test moves: Google-signed ID tokens live one hour
// (`exp` = `iat` + 3600, https://cloud.google.com/docs/authentication/token-types#id) and Cloud Run
// refuses them once expired.
const SERVICE = "https://chat-staging-abcdefghij-uc.a.run.app";
const ISSUED_AT = Date.parse("2026-01-01T00:00:00Z");

describe("emulator identity tokens", () => {
  it("accepts a token until its hour is up and refuses it after", () => {
    let now = ISSUED_AT;
    const tokens = new IdentityTokens(() => now);
    const bearer = `Bearer ${tokens.issue(SERVICE, "deployer@p.iam.gserviceaccount.com")}`;
    expect(tokens.check(bearer, [SERVICE])).toBe("ok");
    now = ISSUED_AT + 3599_000;
    expect(tokens.check(bearer, [SERVICE])).toBe("ok");
    now = ISSUED_AT + 3601_000;
    expect(tokens.check(bearer, [SERVICE])).toBe("invalid");
    // A fresh token is accepted again: the refusal was the expiry, not the key or the audience.
    expect(
      tokens.check(`Bearer ${tokens.issue(SERVICE, "deployer@p.iam.gserviceaccount.com")}`, [SERVICE]),
    ).toBe("ok");
  });

  it("refuses a token signed by another emulator, and tells a missing header from a bad one", () => {
    const tokens = new IdentityTokens(() => ISSUED_AT);
    const other = new IdentityTokens(() => ISSUED_AT);
    expect(tokens.check(`Bearer ${other.issue(SERVICE, "a@p.iam.gserviceaccount.com")}`, [SERVICE])).toBe(
      "invalid",
    );
    expect(tokens.check(undefined, [SERVICE])).toBe("missing");
    expect(tokens.check("Basic dXNlcjpwYXNz", [SERVICE])).toBe("invalid");
  });
});
