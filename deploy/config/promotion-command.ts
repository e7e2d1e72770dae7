import { shellCommand } from "../core/shell-quote.js";

/** The command that puts a new version into an environment: `promote` for one that only receives promotions. */
export function promotionCommand(name: string, promotesFrom: string | undefined): string {
  return shellCommand(["echogate", promotesFrom ? "promote" : "deploy", name]);
}
