/**
 * A stored record as the JSON text GetRecords returns for it, written once when the record is put:
 *
 *     {"SequenceNumber":"…","ApproximateArrivalTimestamp":1767225600.123,"Data":"<base64>","PartitionKey":"…"},
 *
 * The text is ASCII only — digits, base64 checked to be canonical on the way in, and the partition key
 * with every non-ASCII character \u-escaped (valid JSON that parses to the same string) — so its length in
 * characters is its length in bytes and records can be addressed by byte offset in the shard log. Each
 * record ends with a comma: the bytes of consecutive records, less the last comma, are the contents of a
 * JSON array, which is how GetRecords answers without parsing or serialising a record.
 */

/** Partition keys whose JSON text is remembered; producers reuse few keys (starts over when full). */
const KEY_MEMO_LIMIT = 100_000;
const keyJsonMemo = new Map<string, string>();
const NON_ASCII = /[\u007f-\uffff]/g;

/** The partition key as an ASCII-only JSON string literal (quotes included). */
export function partitionKeyJson(partitionKey: string): string {
  let json = keyJsonMemo.get(partitionKey);
  if (json === undefined) {
    // JSON.stringify escapes quotes, backslashes, control characters and lone surrogates.
    json = JSON.stringify(partitionKey).replace(
      NON_ASCII,
      (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    if (keyJsonMemo.size >= KEY_MEMO_LIMIT) keyJsonMemo.clear();
    keyJsonMemo.set(partitionKey, json);
  }
  return json;
}

/**
 * The JSON text of one stored record, trailing comma included.
 * @param data - the record's data as received: canonical base64
 * @param keyJson - from {@link partitionKeyJson}
 */
export function recordJson(
  sequenceNumber: string,
  arrivalSeconds: number,
  data: string,
  keyJson: string,
): string {
  // A finite number's String() is its JSON form.
  return `{"SequenceNumber":"${sequenceNumber}","ApproximateArrivalTimestamp":${arrivalSeconds},"Data":"${data}","PartitionKey":${keyJson}},`;
}
