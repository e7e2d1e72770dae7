/** Name segments that say "this is a credential" (matched per `_`-separated word). */
const CREDENTIAL_WORDS = new Set([
  "KEY",
  "APIKEY",
  "TOKEN",
  "SECRET",
  "PASSWORD",
  "PASSWD",
  "PWD",
  "PRIVATE",
  "CREDENTIAL",
  "CREDENTIALS",
]);

const TOKEN_PREFIXES: readonly { prefix: RegExp; what: string }[] = [
  { prefix: /AIza[0-9A-Za-z_-]{20,}/, what: "a Google API key (AIza…)" },
  { prefix: /\b[sr]k_live_[0-9A-Za-z]{8,}/, what: "a Stripe live key (sk_live_…)" },
  { prefix: /\bgh[pousr]_[0-9A-Za-z]{20,}/, what: "a GitHub token (ghp_…)" },
  { prefix: /\bxox[abposr]-[0-9A-Za-z-]{8,}/, what: "a Slack token (xox…)" },
  { prefix: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, what: "a PEM private key" },
  { prefix: /-----BEGIN [A-Z ]+-----/, what: "a PEM block" },
  { prefix: /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i, what: "a URL with a password in it" },
];

/** Matches whenever one of TOKEN_PREFIXES does (and some more: it ignores case): one test per value. */
const ANY_TOKEN_PREFIX = new RegExp(
  TOKEN_PREFIXES.map(({ prefix }) => `(?:${prefix.source})`).join("|"),
  "i",
);

const ENTROPY_THRESHOLD = 4.0;
const ENTROPY_MIN_LENGTH = 20;

/** Names already judged: the same keys come back in every environment's env file. */
const credentialNames = new Map<string, boolean>();

export function looksLikeCredentialName(name: string): boolean {
  let judged = credentialNames.get(name);
  if (judged === undefined) {
    judged = name
      .toUpperCase()
      .split(/_+/)
      .some((word) => CREDENTIAL_WORDS.has(word));
    credentialNames.set(name, judged);
  }
  return judged;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  const length = [...text].length;
  for (const count of counts.values()) {
    const p = count / length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Values already judged (the rules ask about each value more than once, environments share most). */
const judgedValues = new Map<string, string | undefined>();
const MAX_JUDGED_VALUES = 20_000;

/**
 * Says why a value looks like a credential, or undefined. Entropy is measured
 * per token (runs between `.`, `:`, `/`, `-`, …) so ordinary URLs and host
 * names don't trip it, while a random 32-char key does.
 */
export function credentialLikeValue(value: string): string | undefined {
  if (judgedValues.has(value)) return judgedValues.get(value);
  if (judgedValues.size >= MAX_JUDGED_VALUES) judgedValues.clear();
  const why = judgeValue(value);
  judgedValues.set(value, why);
  return why;
}

function judgeValue(value: string): string | undefined {
  if (ANY_TOKEN_PREFIX.test(value))
    for (const { prefix, what } of TOKEN_PREFIXES) if (prefix.test(value)) return `it looks like ${what}`;
  if (value.length < ENTROPY_MIN_LENGTH) return undefined;
  for (const token of value.split(/[^A-Za-z0-9+/=_]+/)) {
    if (token.length >= ENTROPY_MIN_LENGTH && shannonEntropy(token) > ENTROPY_THRESHOLD) {
      return `it has a random-looking ${token.length}-character token (${shannonEntropy(token).toFixed(1)} bits/char)`;
    }
  }
  return undefined;
}
