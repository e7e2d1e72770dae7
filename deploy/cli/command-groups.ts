/** The first words of two-word commands (`preview deploy`); a test checks them against the registry. */
export const COMMAND_GROUPS: readonly string[] = ["emulator", "preview", "web"];

/**
 * The code cache variant for a command line: its command words (`check`, `preview_deploy`). Each
 * command caches the functions its own runs compile, so a `--help` run doesn't leave `check` a
 * cache without its code. Words are read as registry.ts resolves them; anything else is `other`.
 */
export function codeCacheVariant(argv: readonly string[]): string {
  const [first, second] = argv.filter((arg) => !arg.startsWith("-"));
  const plain = (word: string | undefined): word is string =>
    word !== undefined && /^[a-z]{1,20}$/.test(word);
  if (!plain(first)) return first === undefined ? "help" : "other";
  return COMMAND_GROUPS.includes(first) && plain(second) ? `${first}_${second}` : first;
}
