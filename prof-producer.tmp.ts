import { createReadStream } from 'node:fs';
import { CreateStreamCommand } from '@aws-sdk/client-kinesis';
import { createProducer } from './functions/producer/producer.js';
import { FileRejectSink } from './functions/producer/reject-sinks.js';
import { createKinesisClient } from './functions/shared/adapters/aws-clients.js';
import { startKinesisEmulator } from './local/emulators/kinesis.js';

Object.assign(process.env, {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'x',
  AWS_SECRET_ACCESS_KEY: 'x',
  AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1',
});
const emulator = await startKinesisEmulator();
const env = { AWS_ENDPOINT_URL_KINESIS: emulator.endpoint, STREAM_NAME: 's' };
await createKinesisClient(env).send(new CreateStreamCommand({ StreamName: 's', ShardCount: 2 }));
await new Promise((r) => setTimeout(r, 200));
const producer = createProducer(env);
const t = performance.now();
const result = await producer.replay(
  createReadStream(process.argv[2] ?? '/tmp/infected_code_1m.csv'),
  new FileRejectSink('/tmp/rej.ndjson'),
  { aggregate: process.argv[3] !== 'plain' },
);
console.log(JSON.stringify(result), ((performance.now() - t) / 1000).toFixed(1), 's');
await emulator.stop();
