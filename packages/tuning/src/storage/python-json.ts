/**
 * JSON as Python's json module writes it: NaN, Infinity and -Infinity are bare tokens (Optuna's journal
 * carries them for NaN intermediate values). JSON.parse refuses them, JSON.stringify turns them into null.
 */

const SENTINEL = '\u0000kdap-nonfinite:';

function quoteNonFinite(line: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') {
        out += line[i + 1] ?? '';
        i++;
      } else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      continue;
    }
    const token = ['-Infinity', 'Infinity', 'NaN'].find((t) => line.startsWith(t, i));
    if (token === undefined) {
      out += ch;
    } else {
      out += JSON.stringify(SENTINEL + token);
      i += token.length - 1;
    }
  }
  return out;
}

/** Parses one journal line, accepting Python's non-finite number tokens. */
export function parsePythonJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return JSON.parse(quoteNonFinite(line), (_key, value: unknown) => {
      if (typeof value === 'string' && value.startsWith(SENTINEL)) {
        const token = value.slice(SENTINEL.length);
        return token === 'NaN' ? NaN : token === 'Infinity' ? Infinity : -Infinity;
      }
      return value;
    });
  }
}

/** Serializes like Python's `json.dumps(obj, separators=(",", ":"))`, non-finite numbers as bare tokens. */
export function stringifyPythonJson(value: unknown): string {
  let hasNonFinite = false;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      hasNonFinite = true;
      return SENTINEL + (Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity');
    }
    return v;
  });
  if (!hasNonFinite) return text;
  const quoted = JSON.stringify(SENTINEL).slice(1, -1);
  return text.replace(new RegExp(`"${quoted.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}(NaN|Infinity|-Infinity)"`, 'g'), '$1');
}
