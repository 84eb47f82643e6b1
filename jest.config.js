// Two projects: server-side code runs under node; the mini program runs under jsdom
// (miniprogram-simulate needs a DOM). The transform only strips types — `npm run typecheck` checks them.
const transform = { '^.+\\.ts$': '<rootDir>/test/esbuildTransform.js' }
// Package build output (e.g. the phonebind package's prebuilt function folders, whose package.json
// names repeat cloudfunctions/*): tests read or spawn it, never import it through jest.
const modulePathIgnorePatterns = ['<rootDir>/packages/[^/]+/dist/']
module.exports = {
  reporters: ['default', '<rootDir>/test/summaryReporter.js'],
  projects: [
    {
      displayName: 'node',
      testEnvironment: 'node',
      transform,
      modulePathIgnorePatterns,
      moduleFileExtensions: ['ts', 'js', 'json'],
      testMatch: ['<rootDir>/core/**/*.test.ts', '<rootDir>/emulator/**/*.test.ts', '<rootDir>/cloudfunctions/**/*.test.ts', '<rootDir>/server/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/miniprogram/', '<rootDir>/test/e2e/', '<rootDir>/test/frameworks/'],
    },
    {
      displayName: 'miniprogram',
      testEnvironment: 'jsdom',
      transform,
      modulePathIgnorePatterns,
      // Inside a mini program an npm name resolves to miniprogram_npm/ (what 构建npm wrote), not to
      // node_modules: map it the same way, so the page and the component share one package instance.
      moduleNameMapper: { '^phonebind-weapp(/.*)?$': '<rootDir>/miniprogram/miniprogram_npm/phonebind-weapp$1' },
      moduleFileExtensions: ['ts', 'js', 'json'],
      testMatch: ['<rootDir>/test/miniprogram/**/*.test.ts', '<rootDir>/miniprogram/**/*.test.ts', '<rootDir>/test/e2e/**/*.test.ts', '<rootDir>/test/frameworks/**/*.test.ts'],
    },
  ],
}
