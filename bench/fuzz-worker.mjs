// Worker entry of bench/fuzz.ts: a worker thread does not inherit tsx's loader, so it registers it
// and then runs the TypeScript file (which sees it is not the main thread and runs inputs).
import {register} from 'tsx/esm/api'

register()
await import('./fuzz.ts')
