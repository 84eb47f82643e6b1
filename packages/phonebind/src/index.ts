/**
 * @module phonebind — the library entry (`require('phonebind')`): the local emulator for a
 * user's own tests (`startEmulator`, the typed `EmulatorClient`). The cloud functions themselves
 * ship prebuilt (dist/functions/, written into a project by `phonebind init` / `build`), so a
 * function never imports this module: it would pull the emulator into a deploy.
 */
export { startEmulator, EmulatorClient } from '../../../emulator'
export type { StartEmulatorOptions, RunningEmulator } from '../../../emulator'
