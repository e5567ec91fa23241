// SPDX-License-Identifier: MIT
// Copyright the Almanac authors.

package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the Prometheus metrics of one Server, on a registry of its
// own so that several servers can run in one process (tests).
type metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	inFlight     prometheus.Gauge
	objectsPut   prometheus.Counter
	authFailures *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "almanac_http_requests_total",
			Help: "HTTP requests by method and status code.",
		}, []string{"method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "almanac_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "almanac_http_requests_in_flight",
			Help: "HTTP requests being served.",
		}),
		objectsPut: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "almanac_objects_put_total",
			Help: "Calendar objects created or replaced by PUT.",
		}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "almanac_auth_failures_total",
			Help: "Failed HTTP authentications, by reason (invalid, throttled, error).",
		}, []string{"reason"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.inFlight, m.objectsPut, m.authFailures,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, r := range []string{"invalid", "throttled", "error"} {
		m.authFailures.WithLabelValues(r)
	}
	return m
}

// knownMethods bounds the method label's values.
var knownMethods = map[string]bool{
	"GET": true, "HEAD": true, "PUT": true, "POST": true, "DELETE": true, "OPTIONS": true,
	"PROPFIND": true, "PROPPATCH": true, "MKCOL": true, "MKCALENDAR": true, "COPY": true,
	"MOVE": true, "REPORT": true, "LOCK": true, "UNLOCK": true, "ACL": true, "PATCH": true,
}

func (m *metrics) observe(method string, status int, d time.Duration) {
	if !knownMethods[method] {
		method = "OTHER"
	}
	m.requests.WithLabelValues(method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method).Observe(d.Seconds())
	if method == "PUT" && (status == http.StatusCreated || status == http.StatusNoContent) {
		m.objectsPut.Inc()
	}
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
