/**
 * The i-th synthetic commit record of the stream benches: realistic field sizes (about 330 bytes of
 * JSON), authors round-robin so that every shard gets a share.
 */
export function syntheticCommit(i: number, authors: number): { partitionKey: string; data: Buffer } {
  const author = `person_${(i % authors) + 1}`;
  const record = {
    commitId: `c_${String(i).padStart(7, '0')}`,
    author,
    time: i * 7,
    filePath: `/services/search/module_${i % 997}/config_${String(i).padStart(6, '0')}.py`,
    linesAdded: i % 50,
    linesDeleted: i % 13,
    entropy: Number(((i % 1000) / 1000).toFixed(4)),
    message: 'release: prepare v1.2.0 and update the deployment notes for the search service',
    eventTime: new Date(Date.UTC(2024, 0, 1) + i * 7000).toISOString(),
    ingestedAt: '2024-01-01T00:00:00.000Z',
  };
  return { partitionKey: author, data: Buffer.from(JSON.stringify(record)) };
}
