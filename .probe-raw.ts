import { fork } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';

const child = fork('local/kinesis-server/child.ts', ['0'], {
  execArgv: ['--import', 'tsx', '--cpu-prof', '--cpu-prof-dir=/tmp/prof2'],
});
const [msg] = (await once(child, 'message')) as [{ port: number }];
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
function call(target: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: msg.port,
        method: 'POST',
        path: '/',
        agent,
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `Kinesis_20131202.${target}`,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString()));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
await call('CreateStream', JSON.stringify({ StreamName: 'b', ShardCount: 2 }));
const recs = Array.from({ length: 500 }, (_, i) => ({
  Data: Buffer.from(
    JSON.stringify({ commitId: `c_${i}`, author: `person_${(i % 104) + 1}`, pad: 'x'.repeat(260) }),
  ).toString('base64'),
  PartitionKey: `person_${(i % 104) + 1}`,
}));
const body = JSON.stringify({ StreamName: 'b', Records: recs });
const N = 400;
let t = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (next++ < N) await call('PutRecords', body);
  }),
);
let s = (performance.now() - t) / 1000;
console.log('raw put rec/s', Math.round((N * 500) / s));
const shards = JSON.parse(await call('ListShards', JSON.stringify({ StreamName: 'b' }))).Shards;
t = performance.now();
let total = 0;
await Promise.all(
  shards.map(async (sh: { ShardId: string }) => {
    let it = JSON.parse(
      await call(
        'GetShardIterator',
        JSON.stringify({ StreamName: 'b', ShardId: sh.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      ),
    ).ShardIterator;
    for (;;) {
      const out = JSON.parse(await call('GetRecords', JSON.stringify({ ShardIterator: it, Limit: 500 })));
      total += out.Records.length;
      if (!out.Records.length) break;
      it = out.NextShardIterator;
    }
  }),
);
s = (performance.now() - t) / 1000;
console.log('raw get rec/s', Math.round(total / s), total);
child.kill();
