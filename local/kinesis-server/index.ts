/**
 * A small, strict, in-memory Kinesis Data Streams server for the local runtime (see README.md).
 */
export { type KinesisServer, type KinesisServerOptions, startKinesisServer } from './server.js';
