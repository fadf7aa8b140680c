/** The few sql.js (SQLite compiled to wasm) calls the b-tree test uses to make its fixture. */
declare module "sql.js" {
  export interface QueryResult {
    columns: string[];
    values: (number | string | Uint8Array | null)[][];
  }
  export interface Database {
    run(sql: string, params?: unknown[]): Database;
    exec(sql: string): QueryResult[];
    export(): Uint8Array;
    close(): void;
  }
  export interface SqlJsStatic {
    Database: new (data?: Uint8Array) => Database;
  }
  export default function initSqlJs(config?: Record<string, unknown>): Promise<SqlJsStatic>;
}
