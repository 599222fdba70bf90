// api is the benchmark image's Go service: a gin HTTP server with Prometheus metrics and
// zap logging. It exists for its module build info (a realistic dependency set), not to run.
package main

import (
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"
)

func main() {
	logger, err := zap.NewProduction()
	if err != nil {
		os.Exit(1)
	}
	defer logger.Sync()
	hits := prometheus.NewCounter(prometheus.CounterOpts{Name: "api_hits_total", Help: "Requests served."})
	prometheus.MustRegister(hits)
	r := gin.New()
	r.GET("/healthz", func(c *gin.Context) {
		hits.Inc()
		c.JSON(http.StatusOK, gin.H{"ok": true})
	})
	r.GET("/metrics", gin.WrapH(promhttp.Handler()))
	logger.Info("listening", zap.String("addr", ":8081"))
	if err := r.Run(":8081"); err != nil {
		logger.Fatal("server", zap.Error(err))
	}
}
