// Two projects: server-side code runs under node; the mini program runs under jsdom
// (miniprogram-simulate needs a DOM). The transform only strips types — `npm run typecheck` checks them.
const transform = { '^.+\\.ts$': '<rootDir>/test/esbuildTransform.js' }
module.exports = {
  reporters: ['default', '<rootDir>/test/summaryReporter.js'],
  projects: [
    {
      displayName: 'node',
      testEnvironment: 'node',
      transform,
      moduleFileExtensions: ['ts', 'js', 'json'],
      testMatch: ['<rootDir>/core/**/*.test.ts', '<rootDir>/emulator/**/*.test.ts', '<rootDir>/cloudfunctions/**/*.test.ts', '<rootDir>/server/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/miniprogram/'],
    },
    {
      displayName: 'miniprogram',
      testEnvironment: 'jsdom',
      transform,
      moduleFileExtensions: ['ts', 'js', 'json'],
      testMatch: ['<rootDir>/test/miniprogram/**/*.test.ts', '<rootDir>/miniprogram/**/*.test.ts'],
    },
  ],
}
