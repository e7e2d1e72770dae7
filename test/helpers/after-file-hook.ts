import { afterAll } from "vitest";
import { runFileCleanups } from "./after-file.js";

// Setup file of every project: vitest runs it before each test file, even in a shared worker, so
// this hook is registered per file (before the file's own hooks, so it runs after them).
afterAll(runFileCleanups);
