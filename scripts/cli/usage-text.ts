/**
 * The usage a command prints for `--help`, written from its definition (command-line.ts): synopsis,
 * summary, arguments, its flags, the flags of its targets, examples and the exit status.
 */
import { type CommandDefinition, type FlagDefinition, type Flags, HELP_FLAG } from './command-line.js';
import { exitStatusHelp } from './exit-codes.js';
import { type TargetName, type TargetSupport, targetFlags } from './target-flags.js';

/** Lines of the usage are wrapped at this width. */
const USAGE_WIDTH = 100;

/**
 * The usage `--help` prints: synopsis, summary, arguments, flags (the target's apart), examples and
 * exit status, all from the definition.
 *
 * @param definition - the command's definition
 */
export function usageOf(definition: CommandDefinition<Flags, TargetSupport | undefined>): string {
  const positionals = definition.positionals ?? [];
  const only = typeof definition.targets === 'object' ? definition.targets.only : undefined;
  const rows = (flags: Flags) =>
    Object.entries(flags).map(([name, flag]): [string, string] => [
      flagLabel(name, flag),
      flagHelp(flag, only),
    ]);
  const sections: Array<[string, Array<[string, string]>]> = [
    ['Arguments', positionals.map((positional) => [positional.name, positional.help])],
    ['Options', rows({ ...definition.flags, ...HELP_FLAG })],
    ['Where it acts', definition.targets === undefined ? [] : rows(targetFlags(definition.targets))],
  ];
  const labelWidth = Math.max(...sections.flatMap(([, lines]) => lines.map(([label]) => label.length))) + 3;
  const table = (lines: Array<[string, string]>) =>
    lines.map(([label, help]) => `  ${label.padEnd(labelWidth)}${wrap(help, labelWidth + 2)}`);
  const synopsis = [
    definition.command,
    '--',
    ...positionals.map((positional) => positional.name),
    '[options]',
  ];
  return [
    `Usage: ${synopsis.join(' ')}`,
    '',
    wrap(definition.summary, 0),
    ...sections
      .filter(([, lines]) => lines.length > 0)
      .flatMap(([title, lines]) => ['', `${title}:`, ...table(lines)]),
    ...(definition.examples?.length
      ? ['', 'Examples:', ...definition.examples.map((line) => `  ${line}`)]
      : []),
    '',
    wrap(exitStatusHelp(definition.problem, definition.targets !== undefined), 0),
  ].join('\n');
}

/** Text wrapped at {@link USAGE_WIDTH}, its lines after the first indented to `column`. */
function wrap(text: string, column: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && column + line.length + 1 + word.length > USAGE_WIDTH) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(column)}`);
}

function flagLabel(name: string, flag: FlagDefinition): string {
  const short = flag.short ? `-${flag.short}, ` : '';
  if (flag.type === 'boolean') return `${short}--${flag.default === true ? `no-${name}` : name}`;
  return `${short}--${name} ${flag.value ?? '<value>'}`;
}

function flagHelp(flag: FlagDefinition, onlyTarget: TargetName | undefined): string {
  const target = flag.appliesTo && flag.appliesTo !== onlyTarget ? `with --target ${flag.appliesTo}: ` : '';
  const fallback = typeof flag.default === 'string' ? ` (default: ${flag.default})` : '';
  const repeatable = flag.multiple ? ' (may be given several times)' : '';
  return `${target}${flag.help}${fallback}${repeatable}`;
}
