import { corsCoversWebHost } from "./cors-covers-web-host.js";
import { credentialInPlainVariable } from "./credential-in-plain-variable.js";
import { environmentName } from "./environment-name.js";
import { publicNotSecret } from "./public-not-secret.js";
import { realtimeServerTarget } from "./realtime-server-target.js";
import { sameAs } from "./same-as.js";
import { sameKeySet } from "./same-key-set.js";
import type { Rule } from "./types.js";
import { valueTypes } from "./value-types.js";

export const rules: readonly Rule[] = [
  valueTypes,
  sameAs,
  sameKeySet,
  environmentName,
  realtimeServerTarget,
  corsCoversWebHost,
  publicNotSecret,
  credentialInPlainVariable,
];
