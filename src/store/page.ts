/**
 * A page of a list the store reads: at most `limit` rows after a cursor (the last key of the page before), in key
 * order, and whether more follow. The query asks for one row more than it returns, so `more` costs no count.
 */

/** Which page to read: the rows whose key comes after `after` (from the start when undefined), at most `limit`. */
export interface PageRequest<K = string> {
  after?: K | undefined;
  limit: number;
}

/** One page: its rows in key order, and whether rows follow it. */
export interface Page<T> {
  items: T[];
  more: boolean;
}

/** The page of `rows` read with `LIMIT limit + 1`: the first `limit`, and whether there was one more. */
export function pageOf<T>(rows: T[], limit: number): Page<T> {
  return { items: rows.slice(0, limit), more: rows.length > limit };
}
