package httpapi

import (
	"context"
	"database/sql"
	"time"

	"appointd/internal/booking"

	"github.com/prometheus/client_golang/prometheus"
)

// poolCollector reads sql.DBStats at scrape time. On PostgreSQL the store's
// read and write pools are one *sql.DB, so only "write" is reported there.
type poolCollector struct {
	stats    func() (write, read sql.DBStats)
	withRead bool
	inUse    *prometheus.Desc
	idle     *prometheus.Desc
	waits    *prometheus.Desc
	waited   *prometheus.Desc
}

// WatchPool adds the store's connection pool gauges to the registry. withRead
// is true when the read pool is a separate one (SQLite).
func (m *Metrics) WatchPool(stats func() (write, read sql.DBStats), withRead bool) {
	pool := []string{"pool"}
	m.reg.MustRegister(&poolCollector{
		stats:    stats,
		withRead: withRead,
		inUse:    prometheus.NewDesc("appointd_store_connections_in_use", "Store connections in use, by pool.", pool, nil),
		idle:     prometheus.NewDesc("appointd_store_connections_idle", "Idle store connections, by pool.", pool, nil),
		waits:    prometheus.NewDesc("appointd_store_wait_count_total", "Times a transaction waited for a free connection, by pool.", pool, nil),
		waited:   prometheus.NewDesc("appointd_store_wait_seconds_total", "Total time spent waiting for a free connection, by pool.", pool, nil),
	})
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.inUse
	ch <- c.idle
	ch <- c.waits
	ch <- c.waited
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	write, read := c.stats()
	send := func(name string, s sql.DBStats) {
		ch <- prometheus.MustNewConstMetric(c.inUse, prometheus.GaugeValue, float64(s.InUse), name)
		ch <- prometheus.MustNewConstMetric(c.idle, prometheus.GaugeValue, float64(s.Idle), name)
		ch <- prometheus.MustNewConstMetric(c.waits, prometheus.CounterValue, float64(s.WaitCount), name)
		ch <- prometheus.MustNewConstMetric(c.waited, prometheus.CounterValue, s.WaitDuration.Seconds(), name)
	}
	send("write", write)
	if c.withRead {
		send("read", read)
	}
}

// outboxCollector reads the webhook outbox at scrape time (one short read
// transaction); a failed read reports nothing rather than zeros.
type outboxCollector struct {
	stats      func(context.Context) (booking.OutboxStats, error)
	now        func() time.Time
	deliveries *prometheus.Desc
	oldest     *prometheus.Desc
}

// WatchOutbox adds the webhook outbox gauges: deliveries by state (pending,
// failed) and the age of the oldest pending one.
func (m *Metrics) WatchOutbox(stats func(context.Context) (booking.OutboxStats, error), now func() time.Time) {
	m.reg.MustRegister(&outboxCollector{
		stats:      stats,
		now:        now,
		deliveries: prometheus.NewDesc("appointd_webhook_deliveries", "Webhook deliveries waiting (pending) or given up (failed), by state.", []string{"state"}, nil),
		oldest:     prometheus.NewDesc("appointd_webhook_oldest_pending_seconds", "Age of the oldest pending webhook delivery (0 when none).", nil, nil),
	})
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.deliveries
	ch <- c.oldest
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	st, err := c.stats(ctx)
	if err != nil {
		return
	}
	age := 0.0
	if st.Pending > 0 {
		age = max(c.now().Sub(st.OldestPending).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(c.deliveries, prometheus.GaugeValue, float64(st.Pending), booking.DeliveryPending)
	ch <- prometheus.MustNewConstMetric(c.deliveries, prometheus.GaugeValue, float64(st.Failed), booking.DeliveryFailed)
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, age)
}
