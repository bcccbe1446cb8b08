/**
 * A transaction over one connection, shared by both drivers: statements in order, savepoints for nested
 * transactions, and a guard so that a handle kept past its block cannot write outside the transaction.
 */
import type { Transaction } from './database.ts';

/** The connection-level operations a driver provides; `createTransaction` builds the rest on them. */
export interface StatementRunner {
  query(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]>;
  exec(sql: string): Promise<void>;
}

/**
 * A transaction over one connection that already ran BEGIN (or a savepoint). Nested `transaction` calls become
 * savepoints. `finish()` marks it ended, after which every call throws (a leaked handle cannot write outside).
 */
export function createTransaction(runner: StatementRunner, depth = 0): Transaction & { finish(): void } {
  let open = true;
  const guard = () => {
    if (!open) throw new Error('this transaction has already ended; use the database instead');
  };
  return {
    async query<T>(sql: string, params: readonly unknown[] = []) {
      guard();
      return (await runner.query(sql, params)) as T[];
    },
    async exec(sql: string) {
      guard();
      await runner.exec(sql);
    },
    async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
      guard();
      const savepoint = `bptl_savepoint_${depth + 1}`;
      await runner.exec(`SAVEPOINT ${savepoint}`);
      const inner = createTransaction(runner, depth + 1);
      try {
        const result = await fn(inner);
        await runner.exec(`RELEASE SAVEPOINT ${savepoint}`);
        return result;
      } catch (error) {
        // When even the rollback fails, the outer transaction is broken anyway: report the original error.
        await runner.exec(`ROLLBACK TO SAVEPOINT ${savepoint}`).catch(() => {});
        throw error;
      } finally {
        inner.finish();
      }
    },
    finish() {
      open = false;
    },
  };
}
