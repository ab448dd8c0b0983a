// Library entry: the model and engines, for programs that embed anyprobe.
export * from './model/errors.js'
export * from './model/pop.js'
export * from './model/trace.js'
export * from './model/vantage.js'
