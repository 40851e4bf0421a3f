import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../functions/shared/errors.js';
import { DEFAULT_INSPECT_PORT, parseStartOptions } from '../../../../local/cli/start-options.js';

describe("npm start's --watch and --inspect", () => {
  it('watches nothing and opens no inspector unless asked', () => {
    const options = parseStartOptions([]);
    expect(options).toMatchObject({ watch: false });
    expect(options).not.toHaveProperty('inspectPort');
  });

  it('takes --inspect without a value as the default port, as node does', () => {
    expect(parseStartOptions(['--watch', '--inspect'])).toMatchObject({
      watch: true,
      inspectPort: DEFAULT_INSPECT_PORT,
    });
  });

  it('takes --inspect=<port>, and refuses a port that is not one', () => {
    expect(parseStartOptions(['--inspect=9300'])).toMatchObject({ inspectPort: 9300 });
    expect(parseStartOptions(['--inspect', '9301', '--watch'])).toMatchObject({ inspectPort: 9301 });
    expect(() => parseStartOptions(['--inspect=http'])).toThrow(UsageError);
  });
});
