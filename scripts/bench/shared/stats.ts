/** The value at quantile `q` (0–1) of `values`; NaN for none. */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : Number.NaN;
}

export const fmt = (ms: number) => ms.toFixed(2);

/** `name median=… p90=… p99=… n=…`: one line of a bench's figures. */
export function printQuantiles(name: string, values: number[]): void {
  console.log(
    `${name} median=${fmt(quantile(values, 0.5))} p90=${fmt(quantile(values, 0.9))} p99=${fmt(quantile(values, 0.99))} n=${values.length}`,
  );
}
