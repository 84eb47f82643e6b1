import * as fs from 'fs'
import { expectedSharedFiles, renderShared } from '../../scripts/syncMiniprogramShared'

describe('miniprogram/shared', () => {
  test('matches core/ byte for byte (run `npx tsx scripts/syncMiniprogramShared.ts` if this fails)', () => {
    for (const [file, text] of expectedSharedFiles()) {
      expect({ file, upToDate: fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text }).toEqual({ file, upToDate: true })
    }
  })

  test('keeps sibling imports and refuses anything the package cannot hold', () => {
    expect(renderShared('errors', "import type { ErrorInfo } from './contracts'\n")).toContain("from './contracts'")
    expect(() => renderShared('errors', "import * as fs from 'fs'\n")).toThrow(/cannot contain/)
    expect(() => renderShared('errors', "import { x } from './crypto'\n")).toThrow(/cannot contain/)
  })
})
