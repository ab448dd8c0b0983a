// The Globalping API's shapes, as anyprobe uses them (field names exact: jsdelivr/globalping
// public/v1/components/schemas.yaml). Everything from the network is `unknown`-ish until parse.ts
// has checked it: these types describe what is expected, not what is guaranteed.

export type GlobalpingType = 'ping' | 'traceroute' | 'dns' | 'mtr' | 'http'

export interface GlobalpingLocation {
  continent?: string
  region?: string
  country?: string
  state?: string
  city?: string
  network?: string
  asn?: number
  magic?: string
  tags?: string[]
  limit?: number
}

export interface GlobalpingRequest {
  type: GlobalpingType
  target: string
  /** a previous measurement's id (same probes, same order) or location filters */
  locations?: string | GlobalpingLocation[]
  limit?: number
  inProgressUpdates?: boolean
  measurementOptions?: Record<string, unknown>
}

export interface GlobalpingProbe {
  continent?: string
  region?: string
  country?: string
  state?: string | null
  city?: string
  asn?: number
  longitude?: number
  latitude?: number
  network?: string
  tags?: string[]
  resolvers?: string[]
}

export interface GlobalpingTestResult {
  status?: 'in-progress' | 'finished' | 'failed' | 'offline' | string
  failureSource?: string
  rawOutput?: string | null
  [field: string]: unknown
}

export interface GlobalpingMeasurement {
  id: string
  type: GlobalpingType | string
  status: 'in-progress' | 'finished' | string
  createdAt?: string
  updatedAt?: string
  target?: string
  probesCount?: number
  locations?: unknown
  limit?: number
  measurementOptions?: Record<string, unknown>
  timeout?: number
  results: Array<{probe?: GlobalpingProbe; result?: GlobalpingTestResult}>
}
