/** Where the local Hosting emulator keeps its state, relative to the project (its own module: commands read it without loading the emulator). */
export const HOSTING_EMULATOR_DIR = ".echogate/hosting";
