/** Characters a POSIX shell never treats specially inside a word. */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One word as a POSIX shell reads it back exactly: plain words as they are, anything else in
 * single quotes (inside which nothing is special), a `'` written as `'\''`.
 */
export function shellQuote(word: string): string {
  if (PLAIN_WORD.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A command to suggest (in hints, PR comments, docs): every word quoted for a POSIX shell. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(" ");
}

/** Text as a Markdown code span that its own backticks can't close early. */
export function markdownCode(text: string): string {
  const longestRun = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = "`".repeat(longestRun + 1);
  const pad = text.startsWith("`") || text.endsWith("`") || longestRun > 0 ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}
