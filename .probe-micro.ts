import { getRecords, getShardIterator, putRecords } from './local/kinesis-server/record-operations.js';
import { ShardIteratorCodec } from './local/kinesis-server/shard-iterators.js';
import { TokenSigner } from './local/kinesis-server/signed-tokens.js';
import { createStream } from './local/kinesis-server/stream-operations.js';
import { StreamStore } from './local/kinesis-server/stream-store.js';
import { InputReader } from './local/kinesis-server/validation.js';

const ctx = {
  store: new StreamStore({
    region: 'us-east-1',
    accountId: '000000000000',
    shardLimit: 500,
    retentionHours: 24,
  }),
  iterators: new ShardIteratorCodec(),
  tokens: new TokenSigner(),
  now: Date.now,
};
createStream(InputReader.fromBody({ StreamName: 'b', ShardCount: 2 }), ctx);
const recs = Array.from({ length: 500 }, (_, i) => ({
  Data: Buffer.from(
    JSON.stringify({ commitId: `c_${i}`, author: `person_${(i % 104) + 1}`, pad: 'x'.repeat(260) }),
  ).toString('base64'),
  PartitionKey: `person_${(i % 104) + 1}`,
}));
const body = Buffer.from(JSON.stringify({ StreamName: 'b', Records: recs }));
const N = 3000;
let parse = 0,
  op = 0,
  str = 0;
for (let i = 0; i < N; i++) {
  let t = performance.now();
  const input = JSON.parse(body.toString('utf8'));
  parse += performance.now() - t;
  t = performance.now();
  const out = putRecords(InputReader.fromBody(input), ctx);
  op += performance.now() - t;
  t = performance.now();
  JSON.stringify(out);
  str += performance.now() - t;
}
console.log(
  'put per call ms: parse',
  (parse / N).toFixed(3),
  'op',
  (op / N).toFixed(3),
  'stringify',
  (str / N).toFixed(3),
  '=> rec/s',
  Math.round((N * 500) / ((parse + op + str) / 1000)),
);
const it = (
  getShardIterator(
    InputReader.fromBody({
      StreamName: 'b',
      ShardId: 'shardId-000000000000',
      ShardIteratorType: 'TRIM_HORIZON',
    }),
    ctx,
  ) as { ShardIterator: string }
).ShardIterator;
let iter = it;
let calls = 0;
op = 0;
str = 0;
let total = 0;
for (;;) {
  let t = performance.now();
  const out = getRecords(InputReader.fromBody({ ShardIterator: iter, Limit: 500 }), ctx) as {
    Records: unknown[];
    NextShardIterator: string;
  };
  op += performance.now() - t;
  t = performance.now();
  const s = JSON.stringify(out);
  str += performance.now() - t;
  t = performance.now();
  Buffer.byteLength(s);
  calls++;
  total += out.Records.length;
  if (!out.Records.length) break;
  iter = out.NextShardIterator;
}
console.log(
  'get per call ms: op',
  (op / calls).toFixed(3),
  'stringify',
  (str / calls).toFixed(3),
  '=> rec/s',
  Math.round(total / ((op + str) / 1000)),
);
