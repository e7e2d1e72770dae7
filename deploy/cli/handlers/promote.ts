import type { CommandContext } from "../command.js";
import { runPromotionCommand } from "../run-promotion-command.js";

export function run(ctx: CommandContext): Promise<number> {
  return runPromotionCommand(ctx, "promote");
}
