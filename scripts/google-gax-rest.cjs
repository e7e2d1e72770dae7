// What the bundled Google clients get for `require("google-gax")` (scripts/build.mjs swaps it in).
// echogate constructs every client with `fallback: true`, so a client only ever calls
// `gaxInstance.fallback` (google-gax's REST transport, its own `browser` entry) plus two helpers the
// generated code reads from the package index at load time. The index would also load
// @grpc/grpc-js and @grpc/proto-loader, a third of the Cloud Run chunk, on every command.
const fallback = require("google-gax/fallback");
const { decodeAnyProtosInArray } = require("google-gax/build/src/util.js");
const loggingUtils = require("google-logging-utils");

/** The names a generated client reads from `google-gax` (test/package checks the bundled clients). */
module.exports = { fallback, decodeAnyProtosInArray, loggingUtils };
