// check_table.js — index.html's table script (harness/tools/compare/html.c)
// run as a browser would run it, on a small stand-in for the DOM: the page's
// table of every pair is read from the HTML, the page's own <script> is run
// on it, and clicks and typing are simulated. Run by check_charts.c when
// node is installed:  node check_table.js REPORT/index.html
// Exit 0 when every check holds; 1, naming the check, when one does not.
'use strict';
const fs = require('fs');

const page = fs.readFileSync(process.argv[2], 'utf8');
function fail(what) {
  console.error('check_table.js: ' + what);
  process.exit(1);
}
function unescape(text) {
  return text.replace(/<[^>]+>/g, '').replace(/&ndash;/g, '\u2013').replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}

const script = (page.match(/<script>([\s\S]*?)<\/script>/) || fail('no <script>'))[1];
const head = (page.match(/<thead>([\s\S]*?)<\/thead>/) || fail('no <thead>'))[1];
const rows = (page.match(/<tbody>([\s\S]*?)<\/tbody>/) || fail('no <tbody>'))[1];

// The stand-in: only what the script uses.
function classes(text) {
  const names = (text || '').split(' ');
  return { contains: (name) => names.includes(name) };
}
function element(fields) {
  const attributes = {}, handlers = {};
  return Object.assign({
    handlers,
    getAttribute: (k) => (k in attributes ? attributes[k] : null),
    setAttribute: (k, v) => { attributes[k] = String(v); },
    removeAttribute: (k) => { delete attributes[k]; },
    addEventListener: (event, f) => { handlers[event] = f; },
  }, fields);
}
const body = {
  rows: [],
  appendChild(row) { this.rows.splice(this.rows.indexOf(row), 1); this.rows.push(row); },
};
for (const [, attributes, inner] of rows.matchAll(/<tr([^>]*)>([\s\S]*?)<\/tr>/g)) {
  const kind = (attributes.match(/class="([^"]*)"/) || [])[1];
  const cells = [...inner.matchAll(/<td([^>]*)>([\s\S]*?)<\/td>/g)].map(([, a, text]) => ({
    classList: classes((a.match(/class="([^"]*)"/) || [])[1]),
    textContent: unescape(text),
  }));
  body.rows.push(element({ classList: classes(kind), hidden: false, cells }));
}
const heads = [...head.matchAll(/<th>([^<]*)<\/th>/g)].map(([, t]) => element({ textContent: t }));
const table = { tBodies: [body], tHead: { rows: [{ cells: heads }] } };
const byAllocator = element({ value: '' }), byTrace = element({ value: '' });
const filters = element({ hidden: true });
const ids = { pairs: table, 'filter-allocator': byAllocator, 'filter-trace': byTrace, filters };
global.document = { getElementById: (id) => ids[id] };
new Function(script)();

if (body.rows.length < 20) fail('the table has ' + body.rows.length + ' rows');
if (filters.hidden) fail('the filter fields stay hidden');
const column = (name) => heads.findIndex((h) => h.textContent === name);
const numbers = (c) => body.rows.filter((r) => !r.classList.contains('msg'))
  .map((r) => parseFloat(r.cells[c].textContent));

// A numeric column, up then down: numbers in order, the missing ones last.
for (const name of ['ns/op (steady)', 'util %', 'ops']) {
  const c = column(name);
  if (c < 0) fail('no column ' + name);
  for (const up of [true, false]) {
    heads[c].handlers.click();
    if (heads[c].getAttribute('aria-sort') !== (up ? 'ascending' : 'descending'))
      fail(name + ': aria-sort is ' + heads[c].getAttribute('aria-sort'));
    const all = numbers(c), known = all.filter((x) => !isNaN(x));
    if (!all.slice(known.length).every(isNaN)) fail(name + ': a missing figure among the numbers');
    for (let i = 1; i < known.length; i++)
      if (up ? known[i - 1] > known[i] : known[i - 1] < known[i])
        fail(name + (up ? ' up' : ' down') + ': ' + known[i - 1] + ' before ' + known[i]);
  }
}
// A text column: alphabetical; a failed pair's message row stays after its pair.
heads[0].handlers.click();
const names = body.rows.filter((r) => !r.classList.contains('msg')).map((r) => r.cells[0].textContent);
for (let i = 1; i < names.length; i++)
  if (names[i - 1].toLowerCase() > names[i].toLowerCase()) fail('allocator: ' + names[i - 1] + ' before ' + names[i]);
body.rows.forEach((r, i) => {
  if (r.classList.contains('msg') && (i === 0 || !body.rows[i - 1].classList.contains('bad')))
    fail('a message row left its pair');
});
// Filtering: only the rows of the allocator and trace typed.
const allocator = body.rows[0].cells[0].textContent, trace = body.rows[0].cells[1].textContent;
byAllocator.value = allocator;
byTrace.value = trace;
byAllocator.handlers.input();
const shown = body.rows.filter((r) => !r.hidden && !r.classList.contains('msg'));
if (shown.length < 1 || !shown.every((r) => r.cells[0].textContent.includes(allocator) &&
                                       r.cells[1].textContent.includes(trace)))
  fail('filtering by ' + allocator + ' and ' + trace + ' shows ' + shown.length + ' rows');
byAllocator.value = '';
byTrace.value = '';
byTrace.handlers.input();
if (body.rows.some((r) => r.hidden)) fail('an emptied filter still hides rows');
console.log('check_table.js: the table sorts and filters (' + body.rows.length + ' rows)');
