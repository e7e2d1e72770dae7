import type {
  ServingConfig,
  ServingHeader,
  ServingRedirect,
  ServingRewrite,
  UrlPattern,
} from "@echogate/common/serving-config";
import { minimatch } from "minimatch";

// How Firebase Hosting answers a request from a version's ServingConfig, in its documented
// priority order (firebase.google.com/docs/hosting/full-config, "Priority order of Hosting
// responses"): redirects, then exact-match static content (with cleanUrls and trailingSlash), then
// rewrites, then /404.html, then the default 404. The details follow superstatic, the open-source
// server the Firebase CLI's own Hosting emulator runs (lib/middleware/redirects.js, files.js,
// headers.js, utils/patterns.js): globs through minimatch, regexes as JavaScript RegExp with the u
// flag, redirect captures through `:name` / `:name*` segments.

/** A glob or regex matched against the whole request path (globs gain a leading slash). */
function matchesPattern(path: string, pattern: UrlPattern): boolean {
  if ("regex" in pattern) return safeRegex(pattern.regex)?.test(path) ?? false;
  return minimatch(path, withSlash(pattern.glob));
}

const withSlash = (glob: string): string => (glob.startsWith("/") ? glob : `/${glob}`);

function safeRegex(source: string): RegExp | undefined {
  try {
    return new RegExp(source, "u");
  } catch {
    return undefined;
  }
}

interface RedirectAnswer {
  status: number;
  location: string;
}

/**
 * A glob with `:name` segments (`:name*`: the rest of the path) as a RegExp capturing them, like
 * path-to-regexp does for superstatic: `**` any path, `*` one segment.
 */
function captureRegex(glob: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  let out = "";
  const text = withSlash(glob);
  for (let i = 0; i < text.length; ) {
    const capture = /^:([A-Za-z_][A-Za-z0-9_]*)(\*)?/.exec(text.slice(i));
    if (capture && text[i - 1] === "/") {
      names.push(capture[1]!);
      // `/:name*` takes zero or more segments, its slash included (`/blog` matches `/blog/:post*`).
      out = capture[2] ? `${out.slice(0, -1)}(?:/(.*))?` : `${out}([^/]+)`;
      i += capture[0].length;
    } else if (text.startsWith("**", i)) {
      out += ".*";
      i += 2;
    } else if (text[i] === "*") {
      out += "[^/]*";
      i += 1;
    } else {
      out += text[i]!.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
      i += 1;
    }
  }
  return { regex: new RegExp(`^${out}/?$`), names };
}

/** `/:post*` in a destination takes the capture `post`; regex redirects capture by group number or name. */
function fillDestination(destination: string, values: Record<string, string>): string {
  return destination.replace(
    /(\/?):([A-Za-z0-9_]+)(\*?)/g,
    (whole, slash: string, name: string, star: string, offset: number) => {
      if (!slash && offset > 0) return whole;
      const value = values[name];
      if (value === undefined) return whole;
      // An empty `/:name*` drops its slash too, as path-to-regexp compiles an absent repeated segment.
      return star && value === "" ? "" : `${slash}${value}`;
    },
  );
}

function withQuery(location: string, query: string): string {
  if (!query) return location;
  return `${location}${location.includes("?") ? "&" : "?"}${query}`;
}

function redirectOf(rule: ServingRedirect, path: string, query: string): RedirectAnswer | undefined {
  const status = rule.statusCode ?? 301;
  const captures = /(?:^|\/):/.test(rule.location);
  if ("regex" in rule) {
    const match = safeRegex(rule.regex)?.exec(path);
    if (!match) return undefined;
    const values: Record<string, string> = { ...match.groups };
    match.forEach((value, index) => {
      values[String(index)] = value ?? "";
    });
    return {
      status,
      location: withQuery(captures ? fillDestination(rule.location, values) : rule.location, query),
    };
  }
  if (captures) {
    const { regex, names } = captureRegex(rule.glob);
    const match = regex.exec(path);
    if (match) {
      const values = Object.fromEntries(names.map((name, i) => [name, match[i + 1] ?? ""]));
      return { status, location: withQuery(fillDestination(rule.location, values), query) };
    }
  }
  if (!matchesPattern(path, rule)) return undefined;
  return { status, location: withQuery(rule.location, query) };
}

/** The first redirect rule matching the path (the query string is carried over). */
export function redirectFor(config: ServingConfig, path: string, query: string): RedirectAnswer | undefined {
  for (const rule of config.redirects ?? []) {
    const answer = redirectOf(rule, path, query);
    if (answer) return answer;
  }
  return undefined;
}

/** The first rewrite rule matching the path. */
export function rewriteFor(config: ServingConfig, path: string): ServingRewrite | undefined {
  return config.rewrites?.find((rule) => matchesPattern(path, rule));
}

/**
 * Every matching header rule applies, later rules overriding earlier ones for the same header.
 * Names are lower-cased, so a configured `Cache-Control` replaces the default `cache-control`.
 */
export function headersFor(config: ServingConfig, path: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const rule of config.headers ?? ([] as ServingHeader[]))
    if (matchesPattern(path, rule))
      for (const [name, value] of Object.entries(rule.headers)) headers[name.toLowerCase()] = value;
  return headers;
}

type StaticAnswer = { file: string } | { redirect: string } | undefined;

const stripEnd = (text: string, end: string): string =>
  text.endsWith(end) ? text.slice(0, -end.length) : text;
const addSlash = (path: string): string => (path.endsWith("/") ? path : `${path}/`);
const dropSlash = (path: string): string => (path.length > 1 ? stripEnd(path, "/") : path) || "/";

/**
 * Exact-match static content, as superstatic's files middleware serves it: the file at the path;
 * a directory's index.html (unset trailingSlash adds the slash by redirect, false removes it, true
 * adds it); with cleanUrls, `/page` from page.html and `/page.html` redirected to `/page`.
 */
export function staticFor(
  config: ServingConfig,
  has: (file: string) => boolean,
  path: string,
  search: string,
): StaticAnswer {
  const trailing =
    config.trailingSlashBehavior === "ADD"
      ? true
      : config.trailingSlashBehavior === "REMOVE"
        ? false
        : undefined;
  const clean = config.cleanUrls === true;
  if (path !== "/" && !path.endsWith("/") && has(path)) {
    if (clean && path.endsWith(".html")) {
      let target = stripEnd(path, ".html");
      target = stripEnd(target, "/index");
      if (trailing === true) target = addSlash(target);
      return { redirect: (target || "/") + search };
    }
    return { file: path };
  }
  const slashed = path.endsWith("/");
  const index = `${addSlash(path)}index.html`;
  if (has(index)) {
    if (trailing === undefined && !slashed && !clean) return { redirect: addSlash(path) + search };
    if (trailing === false && slashed && path !== "/") return { redirect: dropSlash(path) + search };
    if (trailing === true && !slashed) return { redirect: addSlash(path) + search };
    return { file: index };
  }
  if (!clean) return undefined;
  let appended = path;
  if (!slashed) appended += ".html";
  else if (trailing !== undefined) appended = `${stripEnd(path, "/")}.html`;
  if (!has(appended)) return undefined;
  if (trailing === false && slashed) return { redirect: dropSlash(path) + search };
  if (trailing === true && !slashed)
    return { redirect: addSlash(stripEnd(stripEnd(appended, ".html"), "/index")) + search };
  return { file: appended };
}

/**
 * With `i18n`, the localized copies of a path to try first, as superstatic orders them
 * (utils/i18n.js): `<root>/<lang>_<country>` for each language, `<root>/ALL_<country>`, then
 * `<root>/<lang>_ALL` and `<root>/<lang>`. Languages come from the `firebase-language-override`
 * cookie or Accept-Language; the country from the `firebase-country-override` cookie or
 * `X-Country-Code` (Hosting derives it from the client's IP address).
 */
export function i18nCandidates(
  config: ServingConfig,
  path: string,
  headers: {
    cookie?: string | undefined;
    "accept-language"?: string | undefined;
    "x-country-code"?: string | string[] | undefined;
  },
): string[] {
  const root = config.i18n?.root;
  if (!root) return [];
  const cookie = (name: string) =>
    headers.cookie
      ?.split(";")
      .map((part) => part.trim())
      .find((part) => part.startsWith(`${name}=`))
      ?.slice(name.length + 1);
  const countryHeader = headers["x-country-code"];
  const country =
    cookie("firebase-country-override") ??
    (Array.isArray(countryHeader) ? countryHeader[0] : countryHeader) ??
    "";
  const override = cookie("firebase-language-override");
  const languages = [
    ...new Set(
      (override ? override.split(",") : (headers["accept-language"] ?? "").split(","))
        .map((entry) => entry.split(";")[0]!.trim().split("-")[0]!)
        .filter(Boolean),
    ),
  ];
  const under = (dir: string) => `/${root}/${dir}/${path}`.replace(/\/{2,}/g, "/");
  return [
    ...(country
      ? [...languages.map((language) => under(`${language}_${country}`)), under(`ALL_${country}`)]
      : []),
    ...languages.flatMap((language) => [under(`${language}_ALL`), under(language)]),
  ];
}
