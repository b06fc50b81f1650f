package platform

import "time"

// Clock tells the time. Services take one so tests can move it.
type Clock func() time.Time

// SystemClock is the wall clock in UTC.
func SystemClock() time.Time { return time.Now().UTC() }
