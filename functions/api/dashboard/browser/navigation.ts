/**
 * The author view is addressed by the URL's fragment (`#author=<name>`): links open it, the back
 * button closes it, and the address can be shared. The fragment never reaches the server.
 */

const PREFIX = '#author=';

/** The link to an author's view. */
export const authorHref = (author: string): string => `${PREFIX}${encodeURIComponent(author)}`;

/** The author the current fragment names, if any. */
export function authorInHash(hash: string): string | undefined {
  if (!hash.startsWith(PREFIX)) return undefined;
  try {
    const author = decodeURIComponent(hash.slice(PREFIX.length));
    return author === '' ? undefined : author;
  } catch {
    return undefined;
  }
}
