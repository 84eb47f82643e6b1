import { commitError, CONFLICT_CODE, CONFLICT_MESSAGE, DUPLICATE_CODE, DUPLICATE_DOC_TEXT, MONGO_DUPLICATE_MESSAGE, wxServerSdkError } from '../core/testdata/cloudbaseErrors'
import { failureFromThrown, isDuplicateKey, isTransactionConflict } from './failures'

// Every input is what the REAL platform sends (sources in core/testdata/cloudbaseErrors.ts),
// shaped as wx-server-sdk 4.0.2 throws it; the emulator's own wording is tested elsewhere.
describe('server/failures on the real CloudBase texts', () => {
  it('a real conflict inside a transaction is a conflict, answered as BINDING_CONFLICT (retryable), never a database failure', () => {
    for (const e of [wxServerSdkError('document.update', CONFLICT_MESSAGE), wxServerSdkError('collection.add', CONFLICT_MESSAGE), commitError(CONFLICT_CODE, CONFLICT_MESSAGE)]) {
      expect(isTransactionConflict(e)).toBe(true)
      const out = failureFromThrown(e)
      expect(out.error.code).toBe('BINDING_CONFLICT')
      expect(out.error.retryable).toBe(true)
      expect(JSON.stringify(out)).not.toContain('ResourceUnavailable') // the server's text stays inside
    }
  })

  it('a duplicate write in each documented form is a duplicate key', () => {
    for (const e of [
      wxServerSdkError('collection.add', DUPLICATE_DOC_TEXT),
      wxServerSdkError('collection.add', MONGO_DUPLICATE_MESSAGE, -502001),
      commitError(DUPLICATE_CODE, DUPLICATE_DOC_TEXT),
      commitError(DUPLICATE_CODE, ''),
    ]) {
      expect(isDuplicateKey(e)).toBe(true)
      expect(isTransactionConflict(e)).toBe(false)
      expect(failureFromThrown(e).error.code).toBe('BINDING_CONFLICT')
    }
  })

  it('other -501001 failures stay database errors', () => {
    const expired = wxServerSdkError('document.update', '[ResourceUnavailable.TransactionNotExist] Transaction does not exist on the server, transaction must be commit or abort in 30 seconds.')
    expect(isTransactionConflict(expired)).toBe(false)
    expect(isDuplicateKey(expired)).toBe(false)
    expect(failureFromThrown(expired).error.code).toBe('DATABASE_ERROR')
  })
})
