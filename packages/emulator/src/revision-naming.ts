// Cloud Run names generated revisions `<service>-<5 digit serial>-<3 letter suffix>`.

export type RandomSource = () => number;

export function generateRevisionName(service: string, serial: number, random: RandomSource): string {
  const letters = Array.from({ length: 3 }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join(
    "",
  );
  return `${service}-${String(serial).padStart(5, "0")}-${letters}`;
}
