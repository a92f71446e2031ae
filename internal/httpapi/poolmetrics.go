package httpapi

import (
	"database/sql"

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
