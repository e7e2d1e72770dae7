import { stripVTControlCharacters } from "node:util";
import { truncateText } from "./live-lines.js";

/** A column cut below this many characters says nothing; the table wraps instead. */
const MIN_COLUMN = 8;
/** Before a column is cut below this, `fitTable` leaves out a droppable column instead. */
const READABLE_COLUMN = 20;
const GAP = "  ";

interface TableOptions {
  /** The terminal's width; unset (not a terminal): nothing is cut. */
  width?: number | undefined;
  /** Free-text columns that may be cut with an ellipsis to fit, the widest first. */
  shrinkable?: readonly number[];
  /** Columns left out, in this order, when cutting is not enough (the least useful first). */
  droppable?: readonly number[];
  /** How narrow a shrinkable column may be cut (default MIN_COLUMN). */
  minColumn?: number;
}

interface FittedTable {
  lines: string[];
  /** The header cells of the columns left out to fit the width. */
  hidden: string[];
}

/** Control sequences and surrogate pairs: without them, a string's length is its width. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC and CSI start the sequences it looks for
const NOT_PLAIN = /[\u001b\u009b\ud800-\udfff]/;
const visible = (text: string) =>
  NOT_PLAIN.test(text) ? [...stripVTControlCharacters(text)].length : text.length;

/**
 * Column widths for a table: each column as wide as its widest cell, then, while the table is wider
 * than `width`, the widest shrinkable column loses a character. Pure.
 */
export function columnWidths(rows: readonly (readonly string[])[], options: TableOptions = {}): number[] {
  const count = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: count }, (_, i) =>
    Math.max(0, ...rows.map((r) => visible(r[i] ?? ""))),
  );
  const { width } = options;
  if (width === undefined) return widths;
  const total = () => widths.reduce((sum, w) => sum + w, 0) + GAP.length * Math.max(0, count - 1);
  const shrinkable = options.shrinkable ?? [];
  while (total() > width) {
    const minColumn = options.minColumn ?? MIN_COLUMN;
    const widest = shrinkable
      .filter((i) => (widths[i] ?? 0) > minColumn)
      .sort((a, b) => widths[b]! - widths[a]!)[0];
    if (widest === undefined) break;
    widths[widest]! -= 1;
  }
  return widths;
}

/**
 * Rows (the header first) as aligned lines fitted to the width: shrinkable columns are cut, but not
 * below READABLE_COLUMN while a `droppable` column can be left out instead; only when every one is
 * out are they cut further (to MIN_COLUMN). Pure.
 */
export function fitTable(rows: readonly (readonly string[])[], options: TableOptions = {}): FittedTable {
  const { width, droppable = [] } = options;
  const layout = (dropped: ReadonlySet<number>, minColumn: number): FittedTable => {
    const kept = (row: readonly string[]) => row.filter((_, i) => !dropped.has(i));
    const keptIndex = (i: number) => i - [...dropped].filter((d) => d < i).length;
    const shrinkable = (options.shrinkable ?? []).filter((i) => !dropped.has(i)).map(keptIndex);
    return {
      lines: formatTable(rows.map(kept), { width, shrinkable, minColumn }),
      hidden: [...dropped].sort((a, b) => a - b).map((i) => rows[0]?.[i] ?? ""),
    };
  };
  const fits = ({ lines }: FittedTable) =>
    width === undefined || lines.every((line) => visible(line) <= width);
  const dropped = new Set<number>();
  for (const next of [...droppable, undefined]) {
    const fitted = layout(dropped, READABLE_COLUMN);
    if (fits(fitted)) return fitted;
    if (next !== undefined) dropped.add(next);
  }
  return layout(dropped, MIN_COLUMN);
}

/** Rows (the header first) as aligned lines, fitted to the width as `columnWidths` decides. */
export function formatTable(rows: readonly (readonly string[])[], options: TableOptions = {}): string[] {
  const widths = columnWidths(rows, options);
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const width = widths[i]!;
        const fitted = visible(cell) > width ? truncateText(stripVTControlCharacters(cell), width) : cell;
        return fitted + " ".repeat(Math.max(0, width - visible(fitted)));
      })
      .join(GAP)
      .trimEnd(),
  );
}
