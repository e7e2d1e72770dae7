import { describe, expect, it } from "vitest";
import {
  credentialLikeValue,
  looksLikeCredentialName,
  shannonEntropy,
} from "../../deploy/envfiles/credential-patterns.js";

describe("credential patterns", () => {
  it("matches credential words in names, per _-separated word", () => {
    for (const name of [
      "NEXT_PUBLIC_API_KEY",
      "STRIPE_SECRET",
      "DB_PASSWORD",
      "GH_TOKEN",
      "PRIVATE_KEY_PEM",
    ]) {
      expect(looksLikeCredentialName(name), name).toBe(true);
    }
    for (const name of ["NEXT_PUBLIC_KEYBOARD", "MONKEY", "NEXT_PUBLIC_SIGNALING_SERVER", "TOKENIZER_MODE"]) {
      expect(looksLikeCredentialName(name), name).toBe(false);
    }
  });

  it("computes Shannon entropy in bits per character", () => {
    expect(shannonEntropy("")).toBe(0);
    expect(shannonEntropy("aaaa")).toBe(0);
    expect(shannonEntropy("abcd")).toBe(2);
  });

  it("recognises known token prefixes and PEM blocks", () => {
    expect(credentialLikeValue("AIzaSyA-1234567890abcdefghijklmnopqrstu")).toContain("Google API key");
    expect(credentialLikeValue("sk_live_4eC39HqLyjWDarjtT1zdp7dc")).toContain("Stripe");
    expect(credentialLikeValue("ghp_abcdefghijklmnopqrstuvwxyz0123456789")).toContain("GitHub");
    expect(credentialLikeValue("xoxb-123456789012-abcdefgh")).toContain("Slack");
    expect(credentialLikeValue("-----BEGIN RSA PRIVATE KEY-----\nMIIE")).toContain("PEM private key");
  });

  it("flags random-looking tokens but not URLs, hex shas or words", () => {
    expect(credentialLikeValue("Kx8fP2mQ9vLw4Rt7Zb1Nc6Hs3Jd5Ge0Y")).toMatch(/random-looking 32-character/);
    for (const value of [
      "wss://echogate-chat-staging-f6g7h8i9j0-uc.a.run.app",
      "https://echogate-chat-production-7h3k2l9q.us-central1.run.app/socket.io",
      "https://echogate-demo.web.app,https://echogate-demo.firebaseapp.com",
      "0123456789abcdef0123456789abcdef01234567",
      "Echogate chat, the realtime demo",
      "${SERVICE_URL}",
    ]) {
      expect(credentialLikeValue(value), value).toBeUndefined();
    }
  });

  it("flags short random secrets above 4.0 bits/char, not only long ones, and leaves long plain names alone", () => {
    // `openssl rand -base64 18` and a 16-byte base64url session id: 22–24 characters can't reach
    // the 4.6+ bits/char of a 32-character key, yet they are just as secret.
    for (const [value, bits] of [
      ["5hL7qh0jn8KYqLDHPSukIuUf", "4.3"],
      ["o/ubvL7iSWzdXFItkx+f2oj5", "4.5"],
      ["u_icbmvBWs3BKwp3lk2mxw", "4.1"],
    ] as const) {
      expect(shannonEntropy(value), value).toBeGreaterThan(4.0);
      expect(shannonEntropy(value), value).toBeLessThan(4.6);
      expect(credentialLikeValue(value), value).toBe(
        `it has a random-looking ${value.length}-character token (${bits} bits/char)`,
      );
    }
    for (const value of ["echogate_chat_production_sessions", "postgres_connection_pool_max_size"]) {
      expect(shannonEntropy(value), value).toBeLessThan(4.0);
      expect(credentialLikeValue(value), value).toBeUndefined();
    }
  });
});
