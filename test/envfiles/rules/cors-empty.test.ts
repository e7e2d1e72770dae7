import { describe, expect, it } from "vitest";
import { corsCoversWebHost } from "../../../deploy/envfiles/rules/cors-covers-web-host.js";
import {
  type EnvName,
  envFilePath,
  environmentYaml,
  lineOfKey,
  ruleContext,
  withEnv,
  yamlPath,
} from "../../helpers/env-fixtures.js";

const withoutHosting = (env: EnvName, origins: string) => ({
  ...withEnv(env, { ALLOWED_ORIGINS: origins }),
  [yamlPath(env)]: environmentYaml(env).replace(/hosting:[\s\S]*$/, ""),
});

describe("cors-covers-web-host on its own, an empty origin list", () => {
  it.each(["local", "preview", "staging", "production"] as const)(
    "fails in %s, with or without hosting, empty or only commas",
    (env) => {
      for (const origins of ["", " , ", ","]) {
        for (const files of [withEnv(env, { ALLOWED_ORIGINS: origins }), withoutHosting(env, origins)]) {
          const problems = corsCoversWebHost.check(ruleContext(files));
          expect(problems, JSON.stringify(origins)).toMatchObject([
            {
              severity: "error",
              code: "cors-covers-web-host.empty",
              file: envFilePath(env),
              line: lineOfKey("ALLOWED_ORIGINS"),
              keyPath: "ALLOWED_ORIGINS",
            },
          ]);
        }
      }
    },
  );
});
