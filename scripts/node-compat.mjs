// Vitest 5 and Vite 8 use a few built-ins that arrived after Node 20 (Object.groupBy,
// Map.groupBy, Promise.withResolvers). The project supports Node 20, so the test tooling
// gets these standard shapes when the runtime lacks them. Loaded by vite.config.ts and,
// through --import, by every Node process `npm test` starts.
if (typeof Object.groupBy !== 'function') {
  Object.defineProperty(Object, 'groupBy', {
    configurable: true, writable: true,
    value(items, key) {
      const out = Object.create(null);
      let i = 0;
      for (const item of items) (out[key(item, i++)] ??= []).push(item);
      return out;
    },
  });
}
if (typeof Map.groupBy !== 'function') {
  Object.defineProperty(Map, 'groupBy', {
    configurable: true, writable: true,
    value(items, key) {
      const out = new Map();
      let i = 0;
      for (const item of items) {
        const k = key(item, i++);
        if (!out.has(k)) out.set(k, []);
        out.get(k).push(item);
      }
      return out;
    },
  });
}
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true, writable: true,
    value() {
      let resolve, reject;
      const promise = new this((res, rej) => { resolve = res; reject = rej; });
      return { promise, resolve, reject };
    },
  });
}
