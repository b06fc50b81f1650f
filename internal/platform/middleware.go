package platform

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Middleware wraps the whole server: it counts and times requests by
// method and status, logs them at debug level, and turns a panic into a
// logged 500 instead of a dropped connection.
func Middleware(h http.Handler, log *slog.Logger, reg prometheus.Registerer) http.Handler {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "guestlist_http_requests_total", Help: "HTTP requests by method and status code.",
	}, []string{"method", "code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "guestlist_http_request_duration_seconds", Help: "HTTP request latency.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"method"})
	reg.MustRegister(requests, duration)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic serving request", "request_id", RequestID(r.Context()), "method", LogText(r.Method), "path", LogText(r.URL.Path), "panic", LogText(fmt.Sprint(v)))
				if !sw.wrote {
					http.Error(sw, "internal error", http.StatusInternalServerError)
				}
			}
			method := r.Method
			switch method {
			case http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete, http.MethodPut, http.MethodHead:
			default:
				method = "other"
			}
			requests.WithLabelValues(method, strconv.Itoa(sw.status)).Inc()
			duration.WithLabelValues(method).Observe(time.Since(start).Seconds())
			if log.Enabled(r.Context(), slog.LevelDebug) {
				log.Debug("request", "request_id", RequestID(r.Context()), "method", LogText(r.Method), "path", LogText(r.URL.Path), "status", sw.status, "duration", time.Since(start))
			}
		}()
		h.ServeHTTP(sw, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
