import type { Relation } from './pgoutput-decoder';
import type { ClickHouseColumn } from './type-mapping';
import { chIdent, type LandingTable } from '../warehouse/landing-tables';

/**
 * How the rows of one replicated relation become landing-table rows: the
 * ClickHouse column of each pgoutput column (by name), and where the key is.
 */
export interface TableStream {
  name: string;
  relation: Relation;
  /** One per relation column, in the relation's order. */
  columns: ClickHouseColumn[];
  /** Positions of the key (replica identity) columns in the relation. */
  keyPositions: number[];
  /** Quoted column list for INSERT: the relation's columns and the version, tombstone and commit time. */
  insertColumns: [string, ...string[]];
}

export class RelationMismatchError extends Error {
  override name = 'RelationMismatchError';
}

export function tableStream(relation: Relation, landing: LandingTable): TableStream {
  const byName = new Map(landing.columns.map((c) => [c.name, c]));
  const columns = relation.columns.map((rc) => {
    const c = byName.get(rc.name);
    if (!c) throw new RelationMismatchError(`${relation.name}.${rc.name}: column is in the replication stream but not in the catalog`);
    return c;
  });
  const keyPositions = relation.columns.flatMap((c, i) => (landing.keyColumns.includes(c.name) ? [i] : []));
  if (keyPositions.length !== landing.keyColumns.length) {
    throw new RelationMismatchError(`${relation.name}: the stream does not carry the primary key (${landing.keyColumns.join(', ')})`);
  }
  return {
    name: relation.name,
    relation,
    columns,
    keyPositions,
    insertColumns: [...relation.columns.map((c) => chIdent(c.name)), '_version', '_deleted', '_commit_time'] as string[] as [string, ...string[]]
  };
}
