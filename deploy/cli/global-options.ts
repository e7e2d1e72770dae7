import type { OptionSpec } from "./command.js";

export const globalOptionSpecs: Record<string, OptionSpec> = {
  json: { type: "boolean", description: "Print one JSON document on stdout (progress as NDJSON on stderr)" },
  cwd: { type: "string", description: "Project directory", valueName: "<dir>" },
  quiet: { type: "boolean", short: "q", description: "Only print results and errors" },
  "no-color": { type: "boolean", description: "Disable colours (also NO_COLOR)" },
  debug: { type: "boolean", description: "Show stack traces for unexpected errors" },
  "impersonate-service-account": {
    type: "string",
    description:
      "Mint identity tokens for private services as this service account (also CLOUDSDK_AUTH_IMPERSONATE_SERVICE_ACCOUNT)",
    valueName: "<email>",
  },
  help: { type: "boolean", short: "h", description: "Show help" },
};
