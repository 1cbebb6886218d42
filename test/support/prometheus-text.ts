/**
 * A reader of Prometheus' text exposition format (version 0.0.4), strict enough to fail a test
 * on a line a Prometheus server would refuse: every sample line is `name{labels} value`, label
 * values are quoted with \\, \" and \n escapes, and every sample belongs to a declared family.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** Each family's declared type (`counter`, `gauge`, `histogram`, …), by family name. */
  types: Map<string, string>;
  help: Map<string, string>;
  /** The one sample with exactly these labels (all of them); undefined when there is none. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** The sum over the samples whose labels include these. */
  sum(name: string, labels?: Record<string, string>): number;
  /** The samples of a name whose labels include these. */
  select(name: string, labels?: Record<string, string>): Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+(-?\\d+))?$`);
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;
const SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created'];

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const fail = (why: string) => new Error(`line ${index + 1}: ${why}: ${line}`);
    if (line.startsWith('#')) {
      const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!comment) continue;
      const [, kind, name, rest] = comment;
      if (kind === 'TYPE') {
        if (!/^(counter|gauge|histogram|summary|untyped)$/.test(rest)) throw fail('unknown type');
        if (types.has(name)) throw fail('type declared twice');
        types.set(name, rest);
      } else {
        help.set(name, rest);
      }
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw fail('not a sample');
    const [, name, labelText, valueText] = match;
    const labels: Record<string, string> = {};
    if (labelText !== undefined && labelText !== '') {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < labelText.length) {
        const label = LABEL.exec(labelText);
        if (!label) throw fail('bad labels');
        if (label[1] in labels) throw fail(`label ${label[1]} twice`);
        labels[label[1]] = label[2].replace(/\\(.)/g, (_all, char: string) => (char === 'n' ? '\n' : char));
        if (label[3] === '') break;
      }
    }
    const value = parseValue(valueText);
    if (value === undefined) throw fail('bad value');
    const family = types.has(name)
      ? name
      : SUFFIXES.map((suffix) => (name.endsWith(suffix) ? name.slice(0, -suffix.length) : '')).find(
          (base) => base !== '' && types.has(base),
        );
    if (!family) throw fail('a sample of no declared family');
    samples.push({ name, labels, value });
  }
  const includes = (sample: Sample, labels: Record<string, string>) =>
    Object.entries(labels).every(([key, value]) => sample.labels[key] === value);
  const select = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((sample) => sample.name === name && includes(sample, labels));
  return {
    samples,
    types,
    help,
    select,
    value(name, labels = {}) {
      const found = select(name, labels).filter(
        (sample) => Object.keys(sample.labels).length === Object.keys(labels).length,
      );
      if (found.length > 1) throw new Error(`${found.length} samples of ${name} match`);
      return found[0]?.value;
    },
    sum(name, labels = {}) {
      return select(name, labels).reduce((total, sample) => total + sample.value, 0);
    },
  };
}

/** Go's ParseFloat, which Prometheus reads values with, takes NaN and Inf in any case. */
function parseValue(text: string): number | undefined {
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  if (/^nan$/i.test(text)) return NaN;
  const value = Number(text);
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) && !Number.isNaN(value) ? value : undefined;
}
