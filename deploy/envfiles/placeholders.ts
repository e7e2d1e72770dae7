/**
 * On the embedded emulator (and before a first deploy) a service URL or a web
 * origin is a loopback port known only once deployed. Env files then write a
 * placeholder that deploy fills in; a placeholder can only ever mean *this*
 * environment, which is exactly what the cross-environment rules want.
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a literal placeholder, not a template
export const SERVICE_URL_PLACEHOLDER = "${SERVICE_URL}";
// biome-ignore lint/suspicious/noTemplateCurlyInString: a literal placeholder, not a template
export const WEB_ORIGIN_PLACEHOLDER = "${WEB_ORIGIN}";

/** `${SERVICE_URL}` optionally followed by a path, e.g. `${SERVICE_URL}/socket.io`. */
export function isServiceUrlPlaceholder(value: string): boolean {
  return value === SERVICE_URL_PLACEHOLDER || value.startsWith(`${SERVICE_URL_PLACEHOLDER}/`);
}

interface PlaceholderValues {
  /** The service's https:// (or http:// on loopback) URL. */
  serviceUrl: string;
  /** Every origin the web front end is served from. */
  webOrigins: readonly string[];
}

/**
 * Fills placeholders at deploy time. `${SERVICE_URL}` becomes ws(s):// when the
 * variable wants a WebSocket URL (`webSocket: true`), http(s):// otherwise.
 */
export function fillPlaceholders(
  value: string,
  values: PlaceholderValues,
  options: { webSocket?: boolean } = {},
): string {
  let serviceUrl = values.serviceUrl.replace(/\/+$/, "");
  if (options.webSocket) serviceUrl = serviceUrl.replace(/^http(s?):/, "ws$1:");
  return value
    .replaceAll(SERVICE_URL_PLACEHOLDER, serviceUrl)
    .replaceAll(WEB_ORIGIN_PLACEHOLDER, values.webOrigins.join(","));
}
