import { runCli } from './helpers'

describe('phonebind dispatcher', () => {
  it('lists every command on --help and exits 0', async () => {
    const r = await runCli(['--help'])
    expect(r.code).toBe(0)
    for (const c of ['init', 'build', 'doctor']) expect(r.out).toMatch(new RegExp(`^  ${c} `, 'm'))
  })

  it('refuses an unknown command in Chinese and English with exit code 2', async () => {
    const r = await runCli(['deploy'])
    expect(r.code).toBe(2)
    expect(r.err).toContain('未知命令')
    expect(r.err).toContain('unknown command "deploy"')
  })

  it('treats names inherited from Object as unknown commands', async () => {
    expect((await runCli(['constructor'])).code).toBe(2)
    expect((await runCli(['__proto__'])).code).toBe(2)
  })

  it('prints usage and exits 2 when no command is given', async () => {
    const r = await runCli([])
    expect(r.code).toBe(2)
    expect(r.err).toContain('Usage: phonebind <command>')
  })
})
