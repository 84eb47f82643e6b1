import { hasFeature, MIN_BASE_LIBRARY } from './baseLibrary'

describe('hasFeature', () => {
  test('compares versions part by part, not as strings', () => {
    expect(hasFeature('2.8.0', 'cloudID')).toBe(true)
    expect(hasFeature('2.10.0', 'cloudID')).toBe(true) // '2.10.0' < '2.8.0' as strings
    expect(hasFeature('2.7.9', 'cloudID')).toBe(false)
    expect(hasFeature('3.0.0', 'privacy')).toBe(true)
  })

  test('each threshold is the first version that has the feature', () => {
    for (const [feature, min] of Object.entries(MIN_BASE_LIBRARY) as Array<[keyof typeof MIN_BASE_LIBRARY, string]>) {
      expect(hasFeature(min, feature)).toBe(true)
      const [major, minor, patch] = min.split('.').map(Number)
      const before = patch > 0 ? `${major}.${minor}.${patch - 1}` : `${major}.${minor - 1}.99`
      expect(hasFeature(before, feature)).toBe(false)
    }
  })
})
