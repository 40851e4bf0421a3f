/**
 * A small, strict Kinesis Data Streams server for the local runtime, its records on disk (see README.md).
 */
export { type KinesisServer, type KinesisServerOptions, startKinesisServer } from './server.js';
