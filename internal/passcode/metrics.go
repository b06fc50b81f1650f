package passcode

import "github.com/prometheus/client_golang/prometheus"

// Metrics counts what an operator watches for. A nil *Metrics records
// nothing.
type Metrics struct {
	ceilings prometheus.Counter
}

// NewMetrics registers the passcode metrics with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{ceilings: prometheus.NewCounter(prometheus.CounterOpts{
		Name: "guestlist_otp_address_ceiling_total",
		Help: "Send code presses refused because the address reached its hourly mail ceiling (R23).",
	})}
	if err := reg.Register(m.ceilings); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Metrics) ceiling() {
	if m != nil {
		m.ceilings.Inc()
	}
}
