// Lives in core/ so config validation (below the CLI) can suggest keys too.
export { closest } from "../core/did-you-mean.js";
