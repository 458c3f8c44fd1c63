/**
 * The worker keeps each cached workflow in a V8 context of its own, and each context evaluates
 * the bundle's modules afresh: a zod schema built at module load is built again for every cached
 * or replayed case (issue 15: ~18 ms and ~1.2 MB per commission). The workflow code must build
 * none until a check is called. This loads the workflow bundle's module graph in a fresh module
 * registry, with zod's factories counted.
 */

type Built = string[];

/** zod with every schema factory (`z.object`, `z.iso.datetime`, …) recording its name when called. */
function countingZod(built: Built): unknown {
  const real = jest.requireActual<typeof import('zod')>('zod');
  // A copy, not a Proxy: zod's namespace properties are read-only, which a Proxy must return as they are.
  const counted = (from: Record<string, unknown>, prefix: string): Record<string, unknown> =>
    Object.fromEntries(
      Object.keys(from).map((name) => {
        const value = from[name];
        // Classes (ZodType, …) stay themselves, for `instanceof`; factories and namespaces are lower-case.
        if (!/^[a-z]/.test(name)) return [name, value];
        if (typeof value === 'function') {
          return [
            name,
            (...args: unknown[]) => {
              built.push(`${prefix}${name}`);
              return (value as (...a: unknown[]) => unknown)(...args);
            },
          ];
        }
        return [name, typeof value === 'object' && value !== null && prefix.split('.').length < 3 ? counted(value as Record<string, unknown>, `${prefix}${name}.`) : value];
      }),
    );
  const z = counted(real.z as unknown as Record<string, unknown>, 'z.');
  return { ...real, z, default: z };
}

/** Requires `path` in a fresh registry with zod counted; the zod factories it called. */
function builtWhileLoading(path: string): Built {
  const built: Built = [];
  jest.isolateModules(() => {
    jest.doMock('zod', () => countingZod(built));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh registry loads by require
    require(path);
  });
  jest.dontMock('zod');
  return built;
}

test('the counting sees schemas built at load (the API builds its request schemas there)', () => {
  expect(builtWhileLoading('../../api/schemas').length).toBeGreaterThan(0);
});

test('loading the workflow code builds no zod schema', () => {
  const byFactory: Record<string, number> = {};
  for (const name of builtWhileLoading('../../workflows/index')) byFactory[name] = (byFactory[name] ?? 0) + 1;
  expect(byFactory).toEqual({});
});
