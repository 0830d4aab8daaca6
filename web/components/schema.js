// A job's config schema (JSON Schema from the code location) as a readable tree of fields.

import { h } from '../lib/dom.js';

function typeOf(s) {
  if (!s || typeof s !== 'object') return 'any';
  if (s.type) return Array.isArray(s.type) ? s.type.join(' | ') : s.type === 'array' ? `array of ${typeOf(s.items)}` : s.type;
  if (s.anyOf || s.oneOf) {
    const parts = (s.anyOf || s.oneOf).map(typeOf);
    return [...new Set(parts)].join(' | ');
  }
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  return 'any';
}

function fields(schema, depth) {
  if (!schema || typeof schema !== 'object' || depth > 12) return null;
  const alternatives = schema.oneOf || schema.anyOf;
  if (alternatives && alternatives.some((a) => a && a.properties)) {
    return h('ul', {}, alternatives.map((a, i) => h('li', {}, h('span', { class: 'type' }, `option ${i + 1}`), fields(a, depth + 1))));
  }
  const props = schema.properties || (schema.items && schema.items.properties ? schema.items.properties : null);
  if (!props) return null;
  const required = new Set(schema.required || (schema.items && schema.items.required) || []);
  const names = Object.keys(props);
  if (!names.length) return null;
  return h('ul', {}, names.map((name) => {
    const p = props[name] || {};
    const hasDefault = Object.prototype.hasOwnProperty.call(p, 'default');
    return h('li', { 'data-field': name },
      h('code', {}, name), required.has(name) ? h('span', { title: 'required', class: 'field-error' }, ' *') : null, ' ',
      h('span', { class: 'type' }, typeOf(p)),
      hasDefault && p.default !== null && typeof p.default !== 'object' ? h('span', { class: 'type' }, ` = ${JSON.stringify(p.default)}`) : null,
      p.description ? h('span', { class: 'desc' }, p.description) : null,
      fields(p, depth + 1));
  }));
}

export function schemaTree(schema) {
  const tree = fields(schema, 0);
  return h('div', { class: 'schema-tree' }, tree || h('p', { class: 'muted' }, 'This job takes no config.'));
}
