package mail

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts the Worker's outcomes. A nil *Metrics records nothing.
type Metrics struct {
	outcomes *prometheus.CounterVec
	delay    prometheus.Histogram
}

// Delivery outcomes, the values of the outcome label.
const (
	outcomeSent   = "sent"
	outcomeRetry  = "retry"
	outcomeFailed = "failed"
)

// NewMetrics registers the mail metrics with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "guestlist_mail_deliveries_total",
			Help: "Outbox delivery attempts by outcome (sent, retry, failed).",
		}, []string{"outcome"}),
		delay: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "guestlist_mail_delivery_delay_seconds",
			Help: "Time from enqueueing a message to its delivery.",
			// From an immediate send to the backoff horizon of hours.
			Buckets: prometheus.ExponentialBuckets(0.1, 4, 10),
		}),
	}
	for _, o := range []string{outcomeSent, outcomeRetry, outcomeFailed} {
		m.outcomes.WithLabelValues(o) // export zeros, so rates work from the start
	}
	for _, c := range []prometheus.Collector{m.outcomes, m.delay} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) outcome(o string) {
	if m != nil {
		m.outcomes.WithLabelValues(o).Inc()
	}
}

func (m *Metrics) delivered(delay time.Duration) {
	if m != nil {
		m.delay.Observe(max(delay, 0).Seconds())
	}
}
