/**
 * `target[key] = value` as an own, enumerable property, `__proto__` included: assigning that key
 * would set the object's prototype instead and lose the key (keys come from users' JSON and YAML).
 */
export function setOwnProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
