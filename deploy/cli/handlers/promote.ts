import { runPromotionCommand } from "../../promote/run-promotion-command.js";
import type { CommandContext } from "../command.js";

export function run(ctx: CommandContext): Promise<number> {
  return runPromotionCommand(ctx, "promote");
}
