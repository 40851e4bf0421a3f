/** Lambda entry of the producer: the adapter, built once per cold start from the function's environment. */
import { createProducerHandler } from './producer-handler.js';

export const handler = createProducerHandler(process.env);
