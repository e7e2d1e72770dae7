/**
 * Where a library step tells the user what it did on their behalf, such as starting the emulator
 * daemon that outlives the command. Passed explicitly to whoever may need it (`new Platform(dir,
 * env, notices)`); the CLI prints each message, or emits a `notice` event with --json.
 */
export type Notices = (message: string) => void;
