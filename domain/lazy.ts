/**
 * A value built the first time it is asked for, then kept: the domain's zod schemas and the
 * defaults parsed from them. The worker keeps each cached workflow in a V8 context of its own, and
 * each context evaluates the bundle's modules afresh, so a schema built at module load is built
 * again for every cached or replayed case (issue 15: ~18 ms and ~1.2 MB per commission). Built
 * here instead, a workflow pays only for the checks it runs, when it runs them, and the API and
 * the workflow still read the one definition.
 */
export function lazy<T>(build: () => T): () => T {
  let built: T | undefined;
  let done = false;
  return () => {
    if (!done) {
      built = build();
      done = true;
    }
    return built as T;
  };
}
