import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'

/** Runs `f` under the V8 sampling profiler and writes a `.cpuprofile` of this thread to `file`. */
export async function cpuProfile<T>(file: string, f: () => T | Promise<T>): Promise<T> {
  const s = new Session()
  s.connect()
  await s.post('Profiler.enable')
  await s.post('Profiler.setSamplingInterval', { interval: 100 })
  await s.post('Profiler.start')
  try {
    return await f()
  } finally {
    const { profile } = await s.post('Profiler.stop')
    writeFileSync(file, JSON.stringify(profile))
    s.disconnect()
  }
}
