// Finds `echogate …` invocations in shell snippets (workflow `run:` blocks, Cloud Build `bash -c`).
// Enough shell for CI scripts: quotes, `\` line continuations, `${{ … }}` expressions, operators
// and redirections. Words after a redirection operator are its target, not arguments.

const OPERATORS = new Set(["&&", "||", ";", "|", "&", "\n"]);
const REDIRECT = /^(\d*)(>>?|<)(&\d+)?$/;

export function shellWords(script: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  const flush = () => {
    if (inWord) words.push(current);
    current = "";
    inWord = false;
  };
  for (let i = 0; i < script.length; i++) {
    const ch = script[i]!;
    if (script.startsWith("${{", i)) {
      const end = script.indexOf("}}", i);
      const stop = end < 0 ? script.length : end + 2;
      current += script.slice(i, stop);
      inWord = true;
      i = stop - 1;
    } else if (ch === "'" || ch === '"') {
      const end = script.indexOf(ch, i + 1);
      const stop = end < 0 ? script.length : end;
      current += script.slice(i + 1, stop);
      inWord = true;
      i = stop;
    } else if (ch === "\\" && script[i + 1] === "\n") {
      i++;
    } else if (ch === "#" && !inWord) {
      while (i + 1 < script.length && script[i + 1] !== "\n") i++;
    } else if (ch === "\n" || ch === ";" || ch === "&" || ch === "|") {
      flush();
      const double = (ch === "&" || ch === "|") && script[i + 1] === ch;
      words.push(double ? ch + ch : ch);
      if (double) i++;
    } else if (ch === ">" || ch === "<") {
      const digits = inWord && /^\d+$/.test(current) ? current : "";
      if (digits) {
        current = "";
        inWord = false;
      } else flush();
      let op = digits + ch;
      if (script[i + 1] === ">") op += script[++i];
      if (script[i + 1] === "&") {
        op += "&";
        i++;
        while (/\d/.test(script[i + 1] ?? "")) op += script[++i];
      }
      words.push(op);
    } else if (/\s/.test(ch)) {
      flush();
    } else {
      current += ch;
      inWord = true;
    }
  }
  flush();
  return words;
}

/** Every `echogate` invocation (plain, `npx echogate`, `npx --yes echogate`) as its argument words. */
export function echogateInvocations(script: string): string[][] {
  const found: string[][] = [];
  let command: string[] = [];
  const words = [...shellWords(script), "\n"];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (OPERATORS.has(word)) {
      const at = command.indexOf("echogate");
      const viaNpx = at > 0 && command.slice(0, at).every((w) => w === "npx" || w.startsWith("-"));
      if (at === 0 || viaNpx) found.push(command.slice(at + 1));
      command = [];
    } else if (REDIRECT.test(word)) {
      if (!/&\d+$/.test(word)) i++;
    } else {
      command.push(word);
    }
  }
  return found;
}
