/** Lambda entry of the batch layer: the adapter, built once per cold start from the function's environment. */
import { createBatchHandler } from './batch-handler.js';

export const handler = createBatchHandler(process.env);
