import type { RunTarget, ServingConfig, ServingRewrite, UrlPattern } from "@echogate/common/serving-config";
import type { FirebaseHostingSite, FirebaseRewrite } from "./firebase-json-schema.js";

// firebase.json's hosting block -> a Hosting version's ServingConfig (the REST shape is in
// @echogate/common/serving-config), the way the Firebase CLI does it
// (firebase-tools lib/deploy/hosting/convertConfig.js): `source` becomes `glob`, a rewrite's
// `destination` becomes `path`, a redirect's `destination` becomes `location` and `type`
// `statusCode`, header lists become maps, `trailingSlash` becomes `trailingSlashBehavior`.

function patternOf(rule: {
  source?: string | undefined;
  glob?: string | undefined;
  regex?: string | undefined;
}): UrlPattern {
  if (rule.regex !== undefined) return { regex: rule.regex };
  return { glob: (rule.glob ?? rule.source)! };
}

/** Decides which Cloud Run service a `run` rewrite reaches (per environment: see run-rewrites.ts). */
type RunResolver = (run: { serviceId: string; region?: string | undefined }, index: number) => RunTarget;

function rewriteOf(rewrite: FirebaseRewrite, index: number, resolveRun: RunResolver): ServingRewrite {
  const pattern = patternOf(rewrite);
  if (rewrite.destination !== undefined) return { ...pattern, path: rewrite.destination };
  if (rewrite.run !== undefined) return { ...pattern, run: resolveRun(rewrite.run, index) };
  if (rewrite.dynamicLinks) return { ...pattern, dynamicLinks: true };
  // The CLI sends a function it can't find among deployed functions as `function` (+ functionRegion).
  const fn =
    typeof rewrite.function === "string"
      ? { functionId: rewrite.function, region: rewrite.region }
      : rewrite.function!;
  return { ...pattern, function: fn.functionId, ...(fn.region ? { functionRegion: fn.region } : {}) };
}

/** A validated firebase.json hosting block → the version's ServingConfig. */
export function servingConfigOf(site: FirebaseHostingSite, resolveRun: RunResolver): ServingConfig {
  const config: ServingConfig = {};
  if (site.rewrites)
    config.rewrites = site.rewrites.map((rewrite, index) => rewriteOf(rewrite, index, resolveRun));
  if (site.redirects)
    config.redirects = site.redirects.map((redirect) => ({
      ...patternOf(redirect),
      location: redirect.destination,
      ...(redirect.type ? { statusCode: redirect.type } : {}),
    }));
  if (site.headers)
    config.headers = site.headers.map((rule) => ({
      ...patternOf(rule),
      headers: Object.fromEntries(rule.headers.map(({ key, value }) => [key, value])),
    }));
  if (site.cleanUrls !== undefined) config.cleanUrls = site.cleanUrls;
  if (site.trailingSlash !== undefined) config.trailingSlashBehavior = site.trailingSlash ? "ADD" : "REMOVE";
  if (site.appAssociation !== undefined) config.appAssociation = site.appAssociation;
  if (site.i18n !== undefined) config.i18n = site.i18n;
  return config;
}
