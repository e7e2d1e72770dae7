import { FAILSAFE_SCHEMA, load, Type } from "js-yaml";

// A quick reader for the config files that are plain YAML: js-yaml builds the value directly, in a
// fraction of the time the `yaml` package takes to build its Document (nodes with positions). The
// Document stays the reference: a file the quick reader fails on, or that uses anything where the
// two could disagree or where `yaml` warns, is left to it (yaml-source.ts), and so are positions.

/**
 * YAML 1.2's core schema exactly as the `yaml` package resolves plain scalars: its tests and
 * conversions, in its order (js-yaml keeps one type per tag, so each tag tries its forms in turn).
 */
const coreSchema = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar("null", [[/^(?:~|[Nn]ull|NULL)?$/, () => null]]),
    scalar("bool", [[/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (text) => text[0] === "t" || text[0] === "T"]]),
    scalar("int", [
      [/^0o[0-7]+$/, (text) => Number.parseInt(text.slice(2), 8)],
      [/^[-+]?[0-9]+$/, (text) => Number.parseInt(text, 10)],
      [/^0x[0-9a-fA-F]+$/, (text) => Number.parseInt(text.slice(2), 16)],
    ]),
    scalar("float", [
      [
        /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
        (text) =>
          text.slice(-3).toLowerCase() === "nan"
            ? Number.NaN
            : text[0] === "-"
              ? Number.NEGATIVE_INFINITY
              : Number.POSITIVE_INFINITY,
      ],
      [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, Number.parseFloat],
      [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, Number.parseFloat],
    ]),
  ],
});

type ScalarForm = readonly [test: RegExp, convert: (text: string) => unknown];

function scalar(tag: string, forms: readonly ScalarForm[]): Type {
  const formOf = (text: string | null) => forms.find(([test]) => test.test(text ?? ""));
  return new Type(`tag:yaml.org,2002:${tag}`, {
    kind: "scalar",
    resolve: (text: string | null) => formOf(text) !== undefined,
    construct: (text: string | null) => formOf(text)![1](text ?? ""),
  });
}

/**
 * What the quick reader leaves to the Document, each a place where js-yaml and `yaml` read a text
 * differently, or where `yaml` reports something (a warning, a `__proto__` key) that only its
 * Document shows. Any match sends the file to the Document; a false match only costs time.
 * - anchors, aliases, tags, directives, explicit `?` keys, reserved `@` and backtick, at a node's start;
 * - a backslash (an escape could spell `__proto__`) or `__proto__` itself; a tab; a byte-order mark;
 * - a null or empty key (`yaml` names it "", js-yaml "null"), in a block or a flow mapping;
 * - a line over 1024 characters (`yaml` refuses such a key); a comment touching a quote or bracket;
 * - a sequence in a sequence's entry (`- - x`: js-yaml misplaces what follows an empty one);
 * - a flow collection opening a line (a collection as a key), or left open at the end of a line
 *   (`yaml` checks the indentation of its continuation), or on a line with a comment; a quoted
 *   scalar left open at the end of a line (spansLines).
 */
const LEFT_TO_THE_DOCUMENT = [
  /(?:^|[\s[{,])[&*!%?@`]/m,
  /\\|__proto__|\t|\uFEFF/,
  /^[ ]*(?:-[ ]+)*(?:~|null|Null|NULL)?[ ]*:(?:[ ]|$)/m,
  /[{,][ ]*(?:~|null|Null|NULL)?[ ]*:/,
  /^[ ]*(?:-[ ]+)*[[{]/m,
  /^[ ]*-[ ]+-(?:[ ]|$)/m,
  /^.{1025}/m,
  /["'\]}]#/,
];

/**
 * The text the guards look at: comment lines emptied, and a trailing comment cut where nothing
 * before it could quote or bracket a `#`. Prose in comments (backticks, `?`, `*`) is not syntax.
 */
function withoutComments(text: string): string {
  return text.replace(/^[ ]*#.*$|^([^\n'"#[\]{}]*?)[ ]+#.*$/gm, (_comment, before = "") => before);
}

/** A flow collection or a quoted scalar left open at the end of a line: they read across lines differently. */
function spansLines(syntax: string): boolean {
  if (!/[[{'"]/.test(syntax)) return false;
  for (const line of syntax.split("\n")) {
    const opened = line.split(/[[{]/).length - line.split(/[\]}]/).length;
    if (opened !== 0 || (/[[{]/.test(line) && line.includes("#"))) return true;
    const unquoted = line.replace(/(^|[\s[{,])(?:'(?:[^']|'')*'|"[^"]*")/g, "$1");
    if (/(?:^|[\s[{,])['"]/.test(unquoted)) return true;
  }
  return false;
}

/**
 * The value of a config file's YAML when the quick reader can vouch it is what `yaml` would give,
 * with no error or warning; undefined when the file is left to the Document. Pure.
 */
export function quickYamlValue(text: string): { value: unknown } | undefined {
  const syntax = withoutComments(text);
  if (LEFT_TO_THE_DOCUMENT.some((pattern) => pattern.test(syntax)) || spansLines(syntax)) return undefined;
  try {
    // An empty document is null to `yaml`; js-yaml says undefined.
    return { value: load(text, { schema: coreSchema }) ?? null };
  } catch {
    return undefined;
  }
}
