/**
 * One value per process, shared by every loaded copy of the package (a value on `globalThis`
 * under a `Symbol.for` key), made by `init` on first use.
 */
export function processWide<T>(key: string, init: () => T): T {
  const holder = globalThis as unknown as Record<symbol, T | undefined>;
  const symbol = Symbol.for(key);
  let value = holder[symbol];
  if (value === undefined) {
    value = init();
    holder[symbol] = value;
  }
  return value;
}
