/** Lambda entry of the processor: the adapter, built once per cold start from the function's environment. */
import { createProcessorHandler } from './processor-handler.js';

export const handler = createProcessorHandler(process.env);
