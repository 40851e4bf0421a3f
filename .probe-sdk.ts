import { fork } from 'node:child_process';
import { once } from 'node:events';
import * as K from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

// canned server in a child: answers GetRecords with a fixed 500-record body, PutRecords with fixed result
const code = `
const http = require('http');
const recs = Array.from({ length: 500 }, (_, i) => ({ SequenceNumber: '4' + String(i).padStart(55, '0'), ApproximateArrivalTimestamp: 1700000000.123, Data: Buffer.from(JSON.stringify({ commitId: 'c_' + i, author: 'person_' + (i % 104 + 1), pad: 'x'.repeat(260) })).toString('base64'), PartitionKey: 'person_' + (i % 104 + 1) }));
const get = JSON.stringify({ Records: recs, NextShardIterator: 'x'.repeat(100), MillisBehindLatest: 0 });
const put = JSON.stringify({ FailedRecordCount: 0, Records: recs.map((r) => ({ SequenceNumber: r.SequenceNumber, ShardId: 'shardId-000000000000' })) });
const s = http.createServer((req, res) => { req.resume(); req.on('end', () => { const b = req.headers['x-amz-target'].endsWith('GetRecords') ? get : put; res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(b) }); res.end(b); }); });
s.keepAliveTimeout = 120000;
s.listen(0, '127.0.0.1', () => process.send({ port: s.address().port }));
process.on('disconnect', () => process.exit(0));
`;

import { writeFileSync } from 'node:fs';

writeFileSync('/tmp/probe/canned.cjs', code);
const child = fork('/tmp/probe/canned.cjs');
const [msg] = (await once(child, 'message')) as [{ port: number }];
const c = new K.KinesisClient({
  endpoint: `http://127.0.0.1:${msg.port}`,
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  requestHandler: new NodeHttpHandler(),
});
const batch = Array.from({ length: 500 }, (_, i) => ({
  PartitionKey: `person_${(i % 104) + 1}`,
  Data: Buffer.from(
    JSON.stringify({ commitId: `c_${i}`, author: `person_${(i % 104) + 1}`, pad: 'x'.repeat(260) }),
  ),
}));
const N = 300;
let t = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (next++ < N) await c.send(new K.PutRecordsCommand({ StreamName: 'b', Records: batch }));
  }),
);
console.log('sdk put ceiling rec/s', Math.round((N * 500) / ((performance.now() - t) / 1000)));
t = performance.now();
next = 0;
await Promise.all(
  Array.from({ length: 2 }, async () => {
    while (next++ < N) await c.send(new K.GetRecordsCommand({ ShardIterator: 'abc', Limit: 500 }));
  }),
);
console.log('sdk get ceiling rec/s', Math.round((N * 500) / ((performance.now() - t) / 1000)));
c.destroy();
child.kill();
