import { KinesisClient, CreateStreamCommand, PutRecordsCommand, DeleteStreamCommand, DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
const k = new KinesisClient({ endpoint: 'http://127.0.0.1:4566', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, requestHandler: new NodeHttpHandler() });
const name = 'kbench-' + Date.now();
await k.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 }));
for (;;) { const s = await k.send(new DescribeStreamSummaryCommand({ StreamName: name })); if (s.StreamDescriptionSummary.StreamStatus === 'ACTIVE') break; await new Promise(r => setTimeout(r, 200)); }
const payload = JSON.stringify({ v: 1, commitId: 'c_0000001', author: 'person_1', time: 1454, eventTime: '2024-01-01T00:24:14.000Z', filePath: '/services/search/config_110810.py', linesAdded: 14, linesDeleted: 8, entropy: 0.4792, message: 'release: prepare v1.2.0', ingestedAt: new Date().toISOString() });
for (let i = 0; i < Number(process.argv[2] ?? 60); i++) {
  const t = performance.now();
  await k.send(new PutRecordsCommand({ StreamName: name, Records: Array.from({ length: 500 }, (_, j) => ({ PartitionKey: 'person_' + (j % 104), Data: Buffer.from(payload) })) }));
  if (i % 5 === 0) console.log((i + 1) * 500, ((performance.now() - t) / 1000).toFixed(2));
}
await k.send(new DeleteStreamCommand({ StreamName: name }));
