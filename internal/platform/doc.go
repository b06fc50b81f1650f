// Package platform holds what every surface shares and nothing in the
// domain knows about: configuration, logging, the metrics registry, the
// clock, the server's secret key and HTTP middleware.
package platform
