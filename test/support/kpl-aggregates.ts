/**
 * User records packed into KPL aggregates in order, with the library's `RecordAggregator`: what the
 * tests and benches that need valid aggregates build them with (the producer packs per shard, in
 * functions/producer/record-packer.ts, and is tested there).
 */
import {
  type Aggregate,
  RecordAggregator,
} from '../../functions/shared/kinesis-aggregation/record-aggregator.js';
import type { StreamEntry } from '../../functions/shared/ports.js';

/**
 * @param records - user records, in the order they must be read
 * @param maxBytes - the bound of each aggregate
 * @throws when a record is too large for any aggregate
 */
export function aggregatesOf<T extends StreamEntry>(records: Iterable<T>, maxBytes: number): Aggregate<T>[] {
  const aggregator = new RecordAggregator<T>({ maxBytes });
  const aggregates: Aggregate<T>[] = [];
  const flush = () => {
    const aggregate = aggregator.flush();
    if (aggregate) aggregates.push(aggregate);
  };
  for (const record of records) {
    let outcome = aggregator.add(record);
    if (outcome === 'full') {
      flush();
      outcome = aggregator.add(record);
    }
    if (outcome === 'too-large') throw new Error(`a record of ${record.data.length} bytes fits no aggregate`);
  }
  flush();
  return aggregates;
}
