import { createRequire } from 'node:module';
import { AddonLoadError } from '@kdap/errors';

/** The part of better-sqlite3's API the store uses (its own types are not a dependency). */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): Record<string, unknown> | undefined;
  all(...params: unknown[]): Record<string, unknown>[];
}

export interface SqliteTransaction<A extends unknown[], R> {
  (...args: A): R;
  immediate(...args: A): R;
  exclusive(...args: A): R;
}

export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): SqliteDatabase;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): SqliteTransaction<A, R>;
  close(): void;
  readonly open: boolean;
}

type DatabaseConstructor = new (path: string, options?: { timeout?: number; fileMustExist?: boolean }) => SqliteDatabase;

/** The pinned SQLite library (see package.json); loaded on first use, so importing @kdap/mlflow never needs it. */
export const SQLITE_LIBRARY = 'better-sqlite3';

let loaded: DatabaseConstructor | undefined;

/**
 * better-sqlite3's Database class. It is a native addon compiled for one Node ABI, so it is
 * loaded only when a run is logged to SQLite: a server-only user, or a Node line it was not
 * built for, can still import this package.
 *
 * @throws AddonLoadError naming the fix (install or rebuild it for this Node).
 */
export function sqliteDatabaseClass(): DatabaseConstructor {
  if (loaded !== undefined) return loaded;
  try {
    const required = createRequire(__filename)(SQLITE_LIBRARY) as DatabaseConstructor | { default: DatabaseConstructor };
    const Database = typeof required === 'function' ? required : required.default;
    // better-sqlite3 loads its .node file on the first open: do that here, so an addon built for
    // another Node fails with this error rather than as an unopenable database.
    new Database(':memory:').close();
    loaded = Database;
    return loaded;
  } catch (e) {
    const message = (e as Error)?.message ?? String(e);
    const fix = /NODE_MODULE_VERSION|did not self-register|invalid ELF|wrong ELF/.test(message)
      ? `It was compiled for another Node.js than this one (${process.version}): run \`npm rebuild ${SQLITE_LIBRARY}\` with this Node`
      : /Cannot find module/.test(message) && message.includes(SQLITE_LIBRARY)
        ? `It is not installed: run \`npm install\` (it is a dependency of @kdap/mlflow)`
        : `Reinstall it with this Node (\`npm rebuild ${SQLITE_LIBRARY}\`; without network access to its prebuilt binaries it compiles from source and needs a C++ compiler and the Node headers, e.g. npm_config_nodedir=/usr)`;
    throw new AddonLoadError(
      `The embedded MLflow store (SQLite, ./mlflow.db) needs the ${SQLITE_LIBRARY} addon, which did not load (${message.replace(/\s+/g, ' ').trim()}). ${fix}, or log to a tracking server instead (MLFLOW_TRACKING_URI=http://...).`,
      { cause: e },
    );
  }
}
