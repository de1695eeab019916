import type { Compilable, Kysely, QueryResult } from 'kysely';

/** Stands for one named value while a statement is compiled; never reaches the database. */
const SLOT = '\u0000compiled-once:';

/** A statement compiled once; runs on the database it was made for or any of its transactions. */
export interface CompiledOnce<DB, A, R> {
  run(db: Kysely<DB>, args: A): Promise<QueryResult<R>>;
}

/**
 * A statement Kysely builds and compiles once, then runs with each call's values: building
 * and compiling statements per call was a fifth of the connect path's CPU
 * (docs/decisions/0107-statements-compiled-once.md). `build` gets a stand-in for each name
 * in `names` and must use each as a bound value (Kysely compiles values to parameters; a
 * name that did not become one is refused here, at start-up). Values written into the
 * statement itself (`is null`, constants) stay as compiled. No plugin is configured on the
 * store's Kysely, so reusing the compiled query (and its query id) changes nothing else.
 */
export function compiledOnce<DB, A extends object, R>(
  db: Kysely<DB>,
  names: readonly (keyof A & string)[],
  build: (slots: A) => Compilable<R>,
): CompiledOnce<DB, A, R> {
  const slots = Object.fromEntries(names.map((name) => [name, `${SLOT}${name}`])) as A;
  const compiled = build(slots).compile();
  // Per parameter: the name whose value goes there, or undefined for a compiled-in value.
  const from = compiled.parameters.map((p) =>
    typeof p === 'string' && p.startsWith(SLOT) ? (p.slice(SLOT.length) as keyof A) : undefined,
  );
  const unused = names.filter((name) => !from.includes(name));
  if (unused.length > 0) {
    throw new TypeError(`compiledOnce: ${unused.join(', ')} did not become parameters`);
  }
  return {
    run: (executor, args) => {
      const parameters = compiled.parameters.slice();
      for (let i = 0; i < from.length; i++) {
        const name = from[i];
        if (name !== undefined) parameters[i] = args[name];
      }
      return executor.executeQuery<R>({ ...compiled, parameters });
    },
  };
}
