import { stripVTControlCharacters } from "node:util";
import { truncateText } from "./live-lines.js";

/** A column cut below this many characters says nothing; the table wraps instead. */
const MIN_COLUMN = 8;
const GAP = "  ";

interface TableOptions {
  /** The terminal's width; unset (not a terminal): nothing is cut. */
  width?: number | undefined;
  /** Free-text columns that may be cut with an ellipsis to fit, the widest first. */
  shrinkable?: readonly number[];
}

const visible = (text: string) => [...stripVTControlCharacters(text)].length;

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
    const widest = shrinkable
      .filter((i) => (widths[i] ?? 0) > MIN_COLUMN)
      .sort((a, b) => widths[b]! - widths[a]!)[0];
    if (widest === undefined) break;
    widths[widest]! -= 1;
  }
  return widths;
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
