import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

// Identity tokens for invoking private services, the emulator's stand-in for Google-signed ID
// tokens: a JWT whose `aud` names the service (its URL or one of its custom audiences), signed
// with a key that lives only as long as this emulator process. Issued through the IAM Credentials
// `generateIdToken` shape.

const LIFETIME_S = 3600;
const TOKEN_ISSUER = "https://echogate-emulator.local";

type TokenCheck = "ok" | "missing" | "invalid";

export class IdentityTokens {
  private readonly key = randomBytes(32);

  constructor(private readonly now: () => number = () => Date.now()) {}

  issue(audience: string, email: string): string {
    const iat = Math.floor(this.now() / 1000);
    const header = encode({ alg: "HS256", typ: "JWT" });
    const payload = encode({
      iss: TOKEN_ISSUER,
      aud: audience,
      sub: email,
      email,
      iat,
      exp: iat + LIFETIME_S,
    });
    return `${header}.${payload}.${this.sign(`${header}.${payload}`)}`;
  }

  /**
   * Checks a `Bearer …` header value against the audiences the service accepts: Cloud Run takes
   * the service's own URL or one of its `customAudiences`, never a tag URL
   * (https://cloud.google.com/run/docs/configuring/custom-audiences).
   */
  check(authorization: string | undefined, audiences: readonly string[]): TokenCheck {
    const match = /^Bearer\s+([\w-]+)\.([\w-]+)\.([\w-]+)$/i.exec(authorization ?? "");
    if (!match) return authorization ? "invalid" : "missing";
    const [, header, payload, signature] = match as unknown as [string, string, string, string];
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return "invalid";
    let claims: { aud?: unknown; exp?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof claims;
    } catch {
      return "invalid";
    }
    if (typeof claims.aud !== "string" || !audiences.includes(claims.aud)) return "invalid";
    if (typeof claims.exp !== "number" || claims.exp * 1000 < this.now()) return "invalid";
    return "ok";
  }

  private sign(input: string): string {
    return createHmac("sha256", this.key).update(input).digest("base64url");
  }
}

/** What the container sees: Cloud Run forwards the token with its signature removed. */
export function withoutSignature(authorization: string): string {
  return authorization.replace(/^(Bearer\s+[\w-]+\.[\w-]+\.)[\w-]+$/i, "$1SIGNATURE_REMOVED_BY_GOOGLE");
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}
