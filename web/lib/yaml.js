// JSON values written as YAML (block style, as Dagster's launchpad shows run configs), and the
// line of a key path in YAML text (to put a validation error next to its line).

const PLAIN = /^[A-Za-z_][A-Za-z0-9_ ./-]*$/;
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i;

function scalar(value) {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const s = String(value);
  if (s !== '' && PLAIN.test(s) && !RESERVED.test(s) && !/^[-+]?[0-9.]/.test(s) && !s.endsWith(' ')) return s;
  return JSON.stringify(s);
}

function key(k) {
  return PLAIN.test(k) && !RESERVED.test(k) && !k.includes(' ') ? k : JSON.stringify(k);
}

function isEmptyCollection(v) {
  return (Array.isArray(v) && v.length === 0) || (v && typeof v === 'object' && !Array.isArray(v) &&
    Object.keys(v).length === 0);
}

function lines(value, indent, out) {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item && typeof item === 'object' && !isEmptyCollection(item)) {
        const sub = [];
        lines(item, indent + 2, sub);
        out.push(`${pad}- ${sub[0].trimStart()}`, ...sub.slice(1));
      } else {
        out.push(`${pad}- ${isEmptyCollection(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}`);
      }
    }
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (v && typeof v === 'object' && !isEmptyCollection(v)) {
      out.push(`${pad}${key(k)}:`);
      lines(v, indent + 2, out);
    } else {
      out.push(`${pad}${key(k)}: ${isEmptyCollection(v) ? (Array.isArray(v) ? '[]' : '{}') : scalar(v)}`);
    }
  }
}

export function toYaml(value) {
  if (value === null || value === undefined || isEmptyCollection(value)) return '{}\n';
  if (typeof value !== 'object') return `${scalar(value)}\n`;
  const out = [];
  lines(value, 0, out);
  return `${out.join('\n')}\n`;
}

// "ops.fan_out.config.count" or "parts[1].adapter_id" -> ['ops', 'fan_out', …, 1, …]
export function splitPath(path) {
  const parts = [];
  for (const m of String(path || '').matchAll(/([^.[\]]+)|\[(\d+)\]/g)) parts.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return parts;
}

// The 1-based line where `path` is (or its deepest existing parent), by following indentation.
export function lineOfPath(text, path) {
  const parts = splitPath(path);
  const rows = text.split('\n');
  let line = 0; // 0: not found
  let from = 0;
  let minIndent = -1;
  for (const part of parts) {
    if (typeof part === 'number') {
      let seen = -1;
      for (let i = from; i < rows.length; i++) {
        const m = /^(\s*)- /.exec(rows[i]);
        const indent = rows[i].search(/\S/);
        if (indent >= 0 && indent <= minIndent && !m) return line || 1;
        if (m && m[1].length > minIndent) {
          seen++;
          if (seen === part) {
            line = i + 1;
            from = i;
            minIndent = m[1].length;
            break;
          }
        }
      }
      continue;
    }
    const re = new RegExp(`^(\\s*)(- )?["']?${part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*:`);
    let found = false;
    for (let i = from; i < rows.length; i++) {
      const indent = rows[i].search(/\S/);
      if (i > from && indent >= 0 && indent <= minIndent && !rows[i].trimStart().startsWith('#')) break;
      const m = re.exec(rows[i]);
      if (m && m[1].length + (m[2] ? 2 : 0) > minIndent) {
        line = i + 1;
        from = i + 1;
        minIndent = m[1].length + (m[2] ? 2 : 0);
        found = true;
        break;
      }
    }
    if (!found) break;
  }
  return line || 1;
}
