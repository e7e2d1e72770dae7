import type { ArgsOf, CommandContext } from "../command.js";
import type { deployShape } from "../commands/promotion.js";
import { runPromotionCommand } from "../run-promotion-command.js";

export function run(args: ArgsOf<typeof deployShape>, ctx: CommandContext): Promise<number> {
  return runPromotionCommand(args, ctx, "deploy");
}
