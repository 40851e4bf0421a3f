import { describe, expect, it } from 'vitest';
import { compareByStreamPosition, parseFailurePointer } from '../../../../scripts/redrive/failure-pointer.js';

/** An SQS message body as Lambda writes it for a Kinesis batch (the AWS documentation's example). */
const AWS_BODY = {
  requestContext: {
    requestId: 'c9b8fa9f-5a7f-xmpl-af9c-0c604cde93a5',
    functionArn: 'arn:aws:lambda:us-east-2:123456789012:function:myfunction',
    condition: 'RetryAttemptsExhausted',
    approximateInvokeCount: 1,
  },
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  version: '1.0',
  timestamp: '2019-11-14T00:38:06.021Z',
  KinesisBatchInfo: {
    shardId: 'shardId-000000000001',
    startSequenceNumber: '49601189658422359378836298521827638475320189012309704722',
    endSequenceNumber: '49601189658422359378836298522902373528957594348623495186',
    approximateArrivalOfFirstRecord: '2019-11-14T00:38:04.835Z',
    approximateArrivalOfLastRecord: '2019-11-14T00:38:05.580Z',
    batchSize: 500,
    streamArn: 'arn:aws:kinesis:us-east-2:123456789012:stream/mystream',
  },
};

const withInfo = (info: Record<string, unknown>) =>
  JSON.stringify({ ...AWS_BODY, KinesisBatchInfo: { ...AWS_BODY.KinesisBatchInfo, ...info } });

describe('reading a failure pointer', () => {
  it("reads Lambda's on-failure record: where the batch is, why and when it failed", () => {
    expect(parseFailurePointer(JSON.stringify(AWS_BODY))).toEqual({
      ok: true,
      pointer: {
        shardId: 'shardId-000000000001',
        startSequenceNumber: '49601189658422359378836298521827638475320189012309704722',
        endSequenceNumber: '49601189658422359378836298522902373528957594348623495186',
        batchSize: 500,
        streamArn: 'arn:aws:kinesis:us-east-2:123456789012:stream/mystream',
        condition: 'RetryAttemptsExhausted',
        failedAt: '2019-11-14T00:38:06.021Z',
      },
    });
  });

  it('needs nothing but the batch info', () => {
    const parsed = parseFailurePointer(JSON.stringify({ KinesisBatchInfo: AWS_BODY.KinesisBatchInfo }));
    expect(parsed.ok).toBe(true);
  });

  // Each hostile input is refused with a reason naming what is wrong.
  it.each([
    ['an empty body', '', /not JSON/],
    ['text', 'hello', /not JSON/],
    ['a truncated line', JSON.stringify(AWS_BODY).slice(0, 120), /not JSON/],
    ['null', 'null', /\(the whole record\)/],
    ['an array', '[1,2]', /\(the whole record\)/],
    ['no batch info', JSON.stringify({ ...AWS_BODY, KinesisBatchInfo: undefined }), /KinesisBatchInfo/],
    [
      'a sequence number with letters',
      withInfo({ startSequenceNumber: '4960abc' }),
      /startSequenceNumber: not a sequence number/,
    ],
    [
      'a negative sequence number',
      withInfo({ endSequenceNumber: '-1' }),
      /endSequenceNumber: not a sequence number/,
    ],
    ['a number for a sequence number', withInfo({ startSequenceNumber: 4960 }), /startSequenceNumber/],
    [
      'a sequence number of 200 digits',
      withInfo({ endSequenceNumber: '9'.repeat(200) }),
      /endSequenceNumber/,
    ],
    ['a shard id with a path in it', withInfo({ shardId: '../../etc/passwd' }), /shardId: not a shard id/],
    ['an empty shard id', withInfo({ shardId: '' }), /shardId/],
    [
      'a range that ends before it starts',
      withInfo({ startSequenceNumber: '200', endSequenceNumber: '100' }),
      /startSequenceNumber is after endSequenceNumber/,
    ],
    ['a batch of no records', withInfo({ batchSize: 0 }), /batchSize/],
    ['a fractional batch size', withInfo({ batchSize: 1.5 }), /batchSize/],
    ['a batch larger than Lambda reads', withInfo({ batchSize: 10_001 }), /batchSize/],
    [
      'another service ARN',
      withInfo({ streamArn: 'arn:aws:sqs:us-east-2:123456789012:queue' }),
      /streamArn: not a Kinesis stream ARN/,
    ],
    ['a prototype key instead of the info', '{"__proto__":{"KinesisBatchInfo":{}}}', /KinesisBatchInfo/],
    ['a body of megabytes', `{"x":"${'a'.repeat(2_000_000)}"}`, /more than any pointer has/],
  ])('refuses %s, saying why', (_, text, reason) => {
    const parsed = parseFailurePointer(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toMatch(reason);
  });
});

describe('the order pointers are redriven in', () => {
  it('is by shard, then by sequence number as a number, not as text', () => {
    const pointer = (shardId: string, start: string) => {
      const parsed = parseFailurePointer(
        withInfo({ shardId, startSequenceNumber: start, endSequenceNumber: start }),
      );
      if (!parsed.ok) throw new Error(parsed.error);
      return parsed.pointer;
    };
    const sorted = [
      pointer('shardId-000000000001', '5'),
      pointer('shardId-000000000000', '100'),
      pointer('shardId-000000000000', '99'),
    ]
      .sort(compareByStreamPosition)
      .map((p) => `${p.shardId} ${p.startSequenceNumber}`);
    expect(sorted).toEqual(['shardId-000000000000 99', 'shardId-000000000000 100', 'shardId-000000000001 5']);
  });
});
