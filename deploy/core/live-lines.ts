import { formatDuration } from "./duration.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
/** Fast enough to read as motion, slow enough not to flood a remote terminal. */
const REDRAW_MS = 150;

interface LiveStep {
  name: string;
  started: number;
  phase: string | undefined;
}

/** Shortens `text` to `width` characters (code points), ending in an ellipsis when cut. */
export function truncateText(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return chars.slice(0, Math.max(0, width)).join("");
  return `${chars.slice(0, width - 1).join("")}…`;
}

/** One live line per running step: spinner, name, elapsed time and its phase. Pure. */
export function liveLine(step: LiveStep, now: number, frame: number, columns: number): string {
  const elapsed = formatDuration(Math.max(0, Math.round(now - step.started)));
  const text = `${FRAMES[frame % FRAMES.length]} ${step.name} (${elapsed})${step.phase ? ` — ${step.phase}` : ""}`;
  // One column short of the width: a line that fills it wraps on some terminals, and a wrapped line
  // would not be erased by the next redraw.
  return truncateText(text.replace(/[\r\n]+/g, " "), Math.max(10, columns - 1));
}

/**
 * The block of live lines at the bottom of a terminal. Anything else written to the terminal goes
 * through `print`, which erases the block, writes, and draws it again below; a step that ends
 * leaves its permanent line (written by the caller) and drops out of the block.
 */
export class LiveLines {
  private readonly steps = new Map<number, LiveStep>();
  private drawn = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (text: string) => void,
    private readonly columns: () => number,
  ) {}

  start(id: number, name: string): void {
    this.steps.set(id, { name, started: performance.now(), phase: undefined });
    this.redraw();
    if (!this.timer) {
      this.timer = setInterval(() => {
        this.frame += 1;
        this.redraw();
      }, REDRAW_MS);
      this.timer.unref();
    }
  }

  update(id: number, phase: string): void {
    const step = this.steps.get(id);
    if (!step) return;
    step.phase = phase;
    this.redraw();
  }

  /** Drops the step's live line and writes `text` (its permanent line) in its place. */
  end(id: number, text: string): void {
    this.steps.delete(id);
    this.print(text);
    if (this.steps.size === 0) this.stopTimer();
  }

  print(text: string, write: (text: string) => void = this.write): void {
    this.erase();
    write(text);
    this.redraw();
  }

  /** Erases the block for good (the command is over, whatever it left open). */
  close(): void {
    this.stopTimer();
    this.erase();
    this.steps.clear();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private erase(): void {
    if (this.drawn === 0) return;
    // Up one line and clear it, once per drawn line: the cursor ends where the block began.
    this.write("\x1b[1A\x1b[2K".repeat(this.drawn));
    this.drawn = 0;
  }

  private redraw(): void {
    this.erase();
    if (this.steps.size === 0) return;
    const now = performance.now();
    const lines = [...this.steps.values()].map((step) => liveLine(step, now, this.frame, this.columns()));
    this.write(`${lines.join("\n")}\n`);
    this.drawn = lines.length;
  }
}
