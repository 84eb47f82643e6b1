/// <reference lib="dom" />
/**
 * @module console/page/data — the data browser: collections, documents, reveal.
 *
 * The server hides session keys before sending and masks phone numbers unless `?reveal=1`;
 * the page only shows what it got.
 */
import { client, consoleApi, messageOf, type CollectionInfo } from './api'
import { bi, fill, h } from './dom'

/** Pretty JSON as DOM (keys, strings and numbers coloured), never as HTML. */
function json(value: unknown, indent = 0): (Node | string)[] {
  const pad = '  '.repeat(indent)
  if (value === null || typeof value !== 'object') {
    const cls = typeof value === 'string' ? 'j-str' : typeof value === 'number' ? 'j-num' : 'j-lit'
    return [h(`span.${cls}`, {}, JSON.stringify(value) ?? 'undefined')]
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value)
  if (entries.length === 0) return [Array.isArray(value) ? '[]' : '{}']
  const out: (Node | string)[] = [Array.isArray(value) ? '[\n' : '{\n']
  entries.forEach(([k, v], i) => {
    out.push(pad + '  ')
    if (!Array.isArray(value)) out.push(h('span.j-key', {}, k), ': ')
    out.push(...json(v, indent + 1), i < entries.length - 1 ? ',\n' : '\n')
  })
  out.push(pad + (Array.isArray(value) ? ']' : '}'))
  return out
}

export function mountData(root: HTMLElement): { refresh(): void } {
  let current = 'users'
  let reveal = false
  const tabs = h('div.tabs', { role: 'tablist' })
  const docs = h('div.docs', { 'data-test': 'documents' })
  const revealBox = h('input', {
    type: 'checkbox',
    'data-test': 'reveal',
    onchange: () => {
      reveal = revealBox.checked
      refresh()
    },
  })
  // Collections must exist before functions use them, as on CloudBase: created here or by db.createCollection.
  const newName = h('input', { type: 'text', placeholder: '集合名 / collection', 'aria-label': 'new collection name', 'data-test': 'new-collection' })
  const create = h('form.create-collection', {
    onsubmit: (e: Event) => {
      e.preventDefault()
      const name = newName.value.trim()
      void client
        .createCollection(name)
        .then(() => {
          newName.value = ''
          current = name
          refresh()
        })
        .catch((err: unknown) => fill(docs, h('p.error', {}, messageOf(err))))
    },
  }, newName, h('button.btn.ghost', { type: 'submit' }, '新建集合 / Create'))
  fill(
    root,
    h('div.panel-head', {}, h('h2', {}, bi('数据', 'Data')), h('label.check', {}, revealBox, bi('显示完整号码', 'reveal numbers')), h('button.btn.ghost', { onclick: () => refresh() }, '刷新 / Refresh')),
    create,
    tabs,
    docs,
  )

  const renderTabs = (collections: CollectionInfo[]) =>
    fill(
      tabs,
      ...collections.map((c) =>
        h(
          `button.tab${c.name === current ? '.active' : ''}`,
          {
            role: 'tab',
            'data-collection': c.name,
            onclick: () => {
              current = c.name
              refresh()
            },
          },
          c.name,
          h('span.count', {}, c.count),
        ),
      ),
    )

  let seq = 0
  const refresh = () => {
    const mine = ++seq
    void Promise.all([consoleApi.collections(), consoleApi.documents(current, reveal)])
      .then(([collections, page]) => {
        if (mine !== seq) return // a newer refresh is on its way
        renderTabs(collections)
        if (page.documents.length === 0) return fill(docs, h('p.empty', {}, '空集合 / empty collection'))
        fill(docs, ...page.documents.map((d) => h('pre.doc', { 'data-id': String(d._id ?? '') }, ...json(d))), page.total > page.documents.length ? h('p.muted', {}, `… ${page.total - page.documents.length} more`) : null)
      })
      .catch((e: unknown) => fill(docs, h('p.error', {}, messageOf(e))))
  }
  refresh()
  return { refresh }
}
