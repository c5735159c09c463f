/**
 * A strict parser of the Prometheus text exposition format (0.0.4), as a
 * scraper reads it: `# HELP` and `# TYPE` lines, then samples
 * `name{label="value",...} value [timestamp]` with the format's escapes.
 * It refuses what Prometheus refuses (bad names, a TYPE after samples of its
 * family, a label repeated, an unparsable value, a sample line repeated), so a test
 * that parses /metrics with it proves a Prometheus server would ingest it.
 * (No parser package is installed here; this one follows the spec text.)
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  readonly samples: Sample[];
}

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export class PrometheusParseError extends Error {}

function parseValue(text: string, line: number): number {
  // Prometheus reads values with Go's ParseFloat: NaN and Inf in any case
  // (prom-client writes an unsampled event-loop gauge as "Nan").
  const special = text.toLowerCase();
  if (special === '+inf' || special === 'inf') return Infinity;
  if (special === '-inf') return -Infinity;
  if (special === 'nan') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new PrometheusParseError(`line ${line}: "${text}" is not a value`);
  return Number(text);
}

/** The family a sample belongs to: histograms and summaries add suffixes. */
function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(name);
  if (direct) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const family = families.get(name.slice(0, -suffix.length));
    if (family && (family.type === 'histogram' || (family.type === 'summary' && suffix !== '_bucket'))) return family;
  }
  return undefined;
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  const closed = new Set<string>();
  let current: Family | undefined;
  const lines = text.split('\n');
  if (lines[lines.length - 1] !== '') throw new PrometheusParseError('the exposition must end with a newline');
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    if (raw.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
      if (!match) return; // a plain comment
      const [, kind, name, rest] = match as unknown as [string, string, string, string];
      if (!METRIC.test(name)) throw new PrometheusParseError(`line ${line}: bad metric name ${name}`);
      if (closed.has(name)) throw new PrometheusParseError(`line ${line}: ${name} appears in two places`);
      if (current && current.name !== name) closed.add(current.name);
      let family = families.get(name);
      if (!family) {
        family = { name, type: 'untyped', help: '', samples: [] };
        families.set(name, family);
      }
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new PrometheusParseError(`line ${line}: unknown type ${rest}`);
        if (family.samples.length > 0) throw new PrometheusParseError(`line ${line}: TYPE of ${name} after its samples`);
        family.type = rest as Family['type'];
      } else family.help = rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
      current = family;
      return;
    }
    const nameMatch = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(raw);
    if (!nameMatch) throw new PrometheusParseError(`line ${line}: no metric name`);
    const name = nameMatch[1]!;
    let at = name.length;
    const labels: Record<string, string> = {};
    if (raw[at] === '{') {
      at++;
      while (raw[at] !== '}') {
        const labelMatch = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(raw.slice(at));
        if (!labelMatch) throw new PrometheusParseError(`line ${line}: bad label at column ${at + 1}`);
        const label = labelMatch[1]!;
        if (!LABEL.test(label) || label.startsWith('__')) throw new PrometheusParseError(`line ${line}: bad label name ${label}`);
        if (label in labels) throw new PrometheusParseError(`line ${line}: label ${label} repeated`);
        at += labelMatch[0].length;
        let value = '';
        for (;;) {
          const char = raw[at];
          if (char === undefined) throw new PrometheusParseError(`line ${line}: unterminated label value`);
          at++;
          if (char === '"') break;
          if (char === '\\') {
            const next = raw[at++];
            if (next === 'n') value += '\n';
            else if (next === '\\' || next === '"') value += next;
            else throw new PrometheusParseError(`line ${line}: bad escape \\${String(next)}`);
          } else value += char;
        }
        labels[label] = value;
        if (raw[at] === ',') at++;
        else if (raw[at] !== '}') throw new PrometheusParseError(`line ${line}: expected , or } at column ${at + 1}`);
      }
      at++;
    }
    const rest = raw.slice(at);
    const valueMatch = /^ (\S+)( -?\d+)?$/.exec(rest);
    if (!valueMatch) throw new PrometheusParseError(`line ${line}: expected " value [timestamp]", got "${rest}"`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new PrometheusParseError(`line ${line}: sample ${name} with these labels repeated`);
    seen.add(key);
    const family = familyOf(name, families) ?? { name, type: 'untyped' as const, help: '', samples: [] };
    if (!families.has(family.name)) families.set(family.name, family);
    if (closed.has(family.name)) throw new PrometheusParseError(`line ${line}: ${family.name} appears in two places`);
    if (family.type === 'histogram' && name.endsWith('_bucket') && labels['le'] === undefined) {
      throw new PrometheusParseError(`line ${line}: a histogram bucket without le`);
    }
    family.samples.push({ name, labels, value: parseValue(valueMatch[1]!, line) });
  });
  return families;
}
