// The op graph of a job as an SVG: a layered layout (each op one layer below its deepest input,
// ops ordered by their inputs' positions), dynamic fan-out drawn as a dashed edge into a stack of
// mapped copies, collects as labelled edges.

import { svg } from '../lib/dom.js';

const LAYER_GAP = 96;
const NODE_GAP = 36;
const NODE_H = 46;
const PAD = 24;

function nodeWidth(op) {
  return Math.max(150, Math.min(320, op.name.length * 8.2 + 36));
}

export function layout(graph) {
  const ops = graph.ops || [];
  const byName = new Map(ops.map((op, i) => [op.name, { op, index: i, parents: [], children: [], layer: 0, x: 0, y: 0, w: nodeWidth(op) }]));
  const edges = [];
  for (const d of graph.dependencies || []) {
    const from = byName.get(d.from.op);
    const to = byName.get(d.to.op);
    if (!from || !to) continue;
    const output = (from.op.outputs || []).find((o) => o.name === d.from.output);
    const kind = d.kind === 'collect' ? 'collect' : output && output.isDynamic ? 'dynamic' : 'output';
    edges.push({ from, to, kind, label: `${d.from.output} → ${d.to.input}` });
    from.children.push(to);
    to.parents.push(from);
  }
  // Layers: longest path from a source (the graph is acyclic; a guard stops a malformed one).
  const depth = (n, guard = 0) => {
    if (n.layerDone || guard > ops.length) return n.layer;
    n.layer = n.parents.length ? Math.max(...n.parents.map((p) => depth(p, guard + 1) + 1)) : 0;
    n.layerDone = true;
    return n.layer;
  };
  for (const n of byName.values()) depth(n);
  const layers = [];
  for (const n of byName.values()) (layers[n.layer] ||= []).push(n);
  for (const layer of layers) layer.sort((a, b) => a.index - b.index);
  // Two sweeps of barycentre ordering: an op sits below the mean position of its inputs.
  for (let sweep = 0; sweep < 2; sweep++) {
    for (let l = 1; l < layers.length; l++) {
      const pos = new Map(layers[l - 1].map((n, i) => [n, i]));
      const bary = (n) => (n.parents.length ? n.parents.reduce((s, p) => s + (pos.get(p) ?? 0), 0) / n.parents.length : n.index);
      layers[l].sort((a, b) => bary(a) - bary(b));
    }
  }
  const widths = layers.map((layer) => layer.reduce((s, n) => s + n.w, 0) + NODE_GAP * (layer.length - 1));
  const total = Math.max(...widths, 200);
  layers.forEach((layer, l) => {
    let x = PAD + (total - widths[l]) / 2;
    for (const n of layer) {
      n.x = x;
      n.y = PAD + l * (NODE_H + LAYER_GAP);
      x += n.w + NODE_GAP;
    }
  });
  return {
    nodes: [...byName.values()], edges,
    width: total + 2 * PAD + 12, height: PAD * 2 + layers.length * NODE_H + Math.max(0, layers.length - 1) * LAYER_GAP + 12,
  };
}

export function dagSvg(graph, { title = 'Op graph' } = {}) {
  const g = layout(graph);
  const root = svg('svg', {
    class: 'dag', width: g.width, height: g.height, viewBox: `0 0 ${g.width} ${g.height}`, role: 'img',
    'aria-label': `${title}: ${g.nodes.length} ops, ${g.edges.length} dependencies`,
  });
  root.appendChild(svg('defs', {}, svg('marker', {
    id: 'dag-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
  }, svg('path', { d: 'M0,0 L10,5 L0,10 z' }))));
  for (const e of g.edges) {
    const x1 = e.from.x + e.from.w / 2;
    const y1 = e.from.y + NODE_H;
    const x2 = e.to.x + e.to.w / 2;
    const y2 = e.to.y - (e.to.op.isMapped ? 2 : 0);
    const my = (y1 + y2) / 2;
    root.appendChild(svg('path', {
      class: `edge ${e.kind}`, d: `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2 - 2}`, 'marker-end': 'url(#dag-arrow)',
      'data-kind': e.kind,
    }, svg('title', {}, `${e.from.op.name}.${e.label.replace(' → ', ` → ${e.to.op.name}.`)}${e.kind === 'dynamic' ? ' (dynamic fan-out)' : e.kind === 'collect' ? ' (collect)' : ''}`)));
    if (e.kind !== 'output')
      root.appendChild(svg('text', { class: 'edge-label', x: (x1 + x2) / 2 + 6, y: my - 4 }, e.kind === 'dynamic' ? 'fan-out ⋯' : 'collect'));
  }
  for (const n of g.nodes) {
    const op = n.op;
    const dynamicOut = (op.outputs || []).some((o) => o.isDynamic);
    const node = svg('g', { class: `node${op.isMapped ? ' mapped' : ''}`, 'data-op': op.name, tabindex: 0 },
      svg('title', {}, `${op.name}${op.description ? `: ${op.description}` : ''}`));
    if (op.isMapped) {
      node.appendChild(svg('rect', { class: 'shadow', x: n.x + 8, y: n.y + 8, width: n.w, height: NODE_H, rx: 8 }));
      node.appendChild(svg('rect', { class: 'shadow', x: n.x + 4, y: n.y + 4, width: n.w, height: NODE_H, rx: 8 }));
    }
    node.appendChild(svg('rect', { class: 'front', x: n.x, y: n.y, width: n.w, height: NODE_H, rx: 8 }));
    node.appendChild(svg('text', { x: n.x + 12, y: n.y + 19 }, op.name));
    const sub = op.isMapped ? `dynamic: one per ${op.dynamicScope || 'mapping key'}`
      : dynamicOut ? 'fans out (dynamic output)'
        : (op.inputs || []).some((i) => i.dependsOn && i.dependsOn.kind === 'collect') ? 'collects a fan-out'
          : `${(op.inputs || []).length} input${(op.inputs || []).length === 1 ? '' : 's'}`;
    node.appendChild(svg('text', { class: 'sub', x: n.x + 12, y: n.y + 36 }, sub));
    root.appendChild(node);
  }
  return root;
}
