import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from "yaml";
import { Diagnostics } from "../core/diagnostics.js";
import { messageOf } from "../core/errors.js";
import type { SourceLocation } from "../core/source-location.js";
import { formatKeyPath } from "../core/source-location.js";
import { activeYamlValueCache } from "./yaml-value-cache.js";

/** Config files are small; anything larger is refused before parsing. */
export const MAX_YAML_BYTES = 1024 * 1024;
/** Bounds alias expansion so an anchor bomb is refused instead of eating memory. */
const MAX_ALIAS_COUNT = 100;

export interface YamlSource {
  file: string;
  /** The parsed value, or undefined when the file could not be parsed. */
  value: unknown;
  diagnostics: Diagnostics;
  /** Position of the value (or with `key: true`, of the key) at a path. */
  locate(path: readonly PropertyKey[], options?: { key?: boolean }): SourceLocation;
}

/**
 * Parses YAML text keeping positions; every problem becomes a diagnostic naming file:line:col.
 * A text that parsed cleanly before comes from the value cache, when the process has one.
 */
export function parseYamlSource(file: string, text: string): YamlSource {
  const cache = activeYamlValueCache();
  const key = `yaml\0${text}`;
  const known = cache?.lookup(key);
  if (known)
    return { file, value: known.value, diagnostics: new Diagnostics(), locate: locateLater(file, text) };
  const parsed = parseYamlDocument(file, text);
  if (cache && parsed.diagnostics.items.length === 0 && parsed.value !== undefined)
    cache.remember(key, parsed.value);
  return parsed;
}

/** Positions in a text whose value came from the cache: parsed on the first call, if one comes. */
export function locateLater(file: string, text: string): YamlSource["locate"] {
  let parsed: YamlSource | undefined;
  return (path, options) => {
    parsed ??= parseYamlDocument(file, text);
    return parsed.locate(path, options);
  };
}

function parseYamlDocument(file: string, text: string): YamlSource {
  const diagnostics = new Diagnostics();
  const lineCounter = new LineCounter();
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_YAML_BYTES) {
    diagnostics.error(
      "yaml.too-large",
      `File is ${(bytes / 1024 / 1024).toFixed(1)} MB; config files are limited to ${MAX_YAML_BYTES / 1024 / 1024} MB.`,
      { file },
    );
    return { file, value: undefined, diagnostics, locate: () => ({ file }) };
  }
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number | undefined): { line?: number; column?: number } => {
    if (offset === undefined) return {};
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  for (const problem of [...document.errors, ...document.warnings]) {
    const severity = document.errors.includes(problem as never) ? "error" : "warning";
    const message = problem.message.split("\n")[0]!;
    // An error "at the end of the file" is about the last thing written, not the empty line after it.
    const where = { file, ...position(Math.min(problem.pos[0], Math.max(0, text.trimEnd().length - 1))) };
    if (severity === "error") diagnostics.error(`yaml.${problem.code.toLowerCase()}`, message, where);
    else diagnostics.warning(`yaml.${problem.code.toLowerCase()}`, message, where);
  }
  for (const found of prototypeKeys(document)) {
    diagnostics.error(
      "yaml.forbidden-key",
      `Can't use the key "${PROTOTYPE_KEY}": JavaScript objects reserve it.`,
      { file, ...position(found.offset), keyPath: formatKeyPath(found.path) },
      "Rename or remove the key.",
    );
  }
  let value: unknown;
  if (!diagnostics.hasErrors) {
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      diagnostics.error(
        "yaml.aliases",
        `${messageOf(error)} (anchors/aliases expand to too much data; limit ${MAX_ALIAS_COUNT}).`,
        { file, ...position(firstAliasOffset(document)) },
      );
    }
  }
  const locate = (path: readonly PropertyKey[], options: { key?: boolean } = {}): SourceLocation => {
    const keyPath = formatKeyPath(path);
    const node = findNode(document.contents as Node | null, path, options.key ?? false);
    return { file, ...position(node?.range?.[0]), ...(keyPath ? { keyPath } : {}) };
  };
  return { file, value, diagnostics, locate };
}

/** Walks as far down the path as the document goes, so a missing key points at its parent. */
function findNode(root: Node | null, path: readonly PropertyKey[], wantKey: boolean): Node | undefined {
  let node: Node | undefined = root ?? undefined;
  for (let index = 0; index < path.length; index++) {
    const part = path[index];
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(part),
      );
      if (!pair) return node;
      if (last && wantKey) return pair.key as Node;
      node = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof part === "number") {
      const item = node.items[part] as Node | undefined;
      if (!item) return node;
      node = item;
    } else {
      return node;
    }
  }
  return node;
}

const PROTOTYPE_KEY = "__proto__";

/**
 * Where a `__proto__` key is written. Whatever reads the parsed value with plain objects would set
 * a prototype instead of a key (zod drops it silently), so such a file is refused before that.
 */
function prototypeKeys(document: Document): { offset: number; path: PropertyKey[] }[] {
  const found: { offset: number; path: PropertyKey[] }[] = [];
  visit(document, {
    Pair(_key, pair, ancestors) {
      if (!isScalar(pair.key) || String(pair.key.value) !== PROTOTYPE_KEY) return;
      const path: PropertyKey[] = [];
      const chain = [...ancestors, pair];
      chain.forEach((node, index) => {
        if (isPair(node) && isScalar(node.key)) path.push(String(node.key.value));
        else if (isSeq(node)) path.push(node.items.indexOf(chain[index + 1] as never));
      });
      found.push({ offset: pair.key.range?.[0] ?? 0, path });
    },
  });
  return found;
}

/** Where the first alias (`*name`) is used: the place to start reading an alias bomb. */
function firstAliasOffset(document: Document): number | undefined {
  let offset: number | undefined;
  visit(document, {
    Alias(_key, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}
