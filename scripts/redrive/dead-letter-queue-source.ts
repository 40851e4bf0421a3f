/**
 * The deployed stack's pointers: the messages of its SQS dead-letter queue, whose bodies are Lambda's
 * on-failure records. Every message is received (and so hidden from other readers) before the first is
 * redriven, so the pointers can go in stream order; a recovered one is deleted, the others are made
 * visible again when the run ends (after a crash they return by themselves, after the visibility
 * timeout).
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { settings } from '../../functions/shared/settings.js';
import { parseFailurePointer } from './failure-pointer.js';
import type { PendingPointer, PointerSource } from './redrive.js';

/** SQS's largest batch for receives and visibility changes. */
const SQS_BATCH = 10;

export class DeadLetterQueueSource implements PointerSource {
  private readonly received = new Map<string, Message>();
  private readonly messageOf = new Map<PendingPointer, Message>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  get description(): string {
    return this.queueUrl;
  }

  async pending(): Promise<PendingPointer[]> {
    for (;;) {
      const { Messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: SQS_BATCH,
          VisibilityTimeout: settings.redrive.queueVisibilitySeconds,
          WaitTimeSeconds: settings.redrive.queueWaitSeconds,
        }),
      );
      const fresh = Messages.filter((message) => message.MessageId && !this.received.has(message.MessageId));
      // Empty after a long poll: drained. Only known ones: a run longer than the visibility timeout.
      if (fresh.length === 0) break;
      for (const message of fresh) this.received.set(message.MessageId as string, message);
    }
    return [...this.received.values()].map((message) => {
      const item: PendingPointer = {
        location: `message ${message.MessageId}`,
        parsed: parseFailurePointer(message.Body ?? ''),
        remove: async () => {
          await this.sqs.send(
            new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.ReceiptHandle }),
          );
        },
      };
      this.messageOf.set(item, message);
      return item;
    });
  }

  async release(kept: readonly PendingPointer[]): Promise<void> {
    const messages = kept.flatMap((item) => this.messageOf.get(item) ?? []);
    for (let i = 0; i < messages.length; i += SQS_BATCH) {
      const entries = messages.slice(i, i + SQS_BATCH).map((message, index) => ({
        Id: String(index),
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: 0,
      }));
      // Best effort: a message that stays hidden comes back by itself after the visibility timeout.
      await this.sqs
        .send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }))
        .catch(() => undefined);
    }
  }
}
