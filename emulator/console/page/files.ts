/// <reference lib="dom" />
/**
 * @module console/page/files — the cloud storage panel: what functions uploaded (path, size,
 * time, fileID). Read-only; contents are fetched by functions through temp URLs, not here.
 */
import { consoleApi, messageOf } from './api'
import { bi, fill, h, time } from './dom'

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

export function mountFiles(root: HTMLElement): { refresh(): void } {
  const list = h('div.files', { 'data-test': 'files' })
  fill(root, h('div.panel-head', {}, h('h2', {}, bi('云存储', 'Storage')), h('button.btn.ghost', { onclick: () => refresh() }, '刷新 / Refresh')), list)
  const refresh = () => {
    void consoleApi
      .files()
      .then(({ total, files }) => {
        if (files.length === 0) return fill(list, h('p.empty', {}, '没有文件 / no files'))
        fill(
          list,
          ...files.map((f) => h('div.file', { title: f.fileID }, h('span.mono', {}, f.cloudPath), h('span.muted', {}, ` ${size(f.size)} · ${time(f.updatedAt)}`))),
          total > files.length ? h('p.muted', {}, `… ${total - files.length} more`) : null,
        )
      })
      .catch((e: unknown) => fill(list, h('p.error', {}, messageOf(e))))
  }
  refresh()
  return { refresh }
}
