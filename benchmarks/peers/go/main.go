// Peer load generator: CreateChatToken through the AWS SDK for Go v2, built
// offline in GOPATH mode from Debian's golang-github-aws-aws-sdk-go-v2-dev.
// Same CLI and JSON line as build/bin/ivschat-bench (issue 8), so compare.sh
// can put it in the same table. Credentials come from AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY through a static provider, so no provider chain (and
// no instance-metadata lookup) runs.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ivschat"
)

// sdkVersion is set at link time by compare.sh from the Debian package version.
var sdkVersion = "unknown"

type options struct {
	endpointURL, caBundle, requestFile         string
	requests, concurrency, connections, warmup int
}

// benchResult is the JSON line issue 8 fixes for every client; AllocsPerRequest
// counts heap allocations (runtime.MemStats.Mallocs) in the measured phase.
type benchResult struct {
	Client                         string  `json:"client"`
	Operation                      string  `json:"operation"`
	Requests                       int     `json:"requests"`
	Concurrency                    int     `json:"concurrency"`
	WallSeconds                    float64 `json:"wall_s"`
	RequestsPerSecond              float64 `json:"req_per_s"`
	CPUUserSeconds                 float64 `json:"cpu_user_s"`
	CPUSysSeconds                  float64 `json:"cpu_sys_s"`
	CPUMicrosPerRequest            float64 `json:"cpu_us_per_req"`
	P50Ms                          float64 `json:"p50_ms"`
	P90Ms                          float64 `json:"p90_ms"`
	P99Ms                          float64 `json:"p99_ms"`
	MaxMs                          float64 `json:"max_ms"`
	PeakRSSMB                      float64 `json:"peak_rss_mb"`
	Errors                         int64   `json:"errors"`
	ConnectionsOpened              int64   `json:"connections_opened"`
	ConnectionsOpenedMeasuredPhase int64   `json:"connections_opened_measured_phase"`
	AllocsPerRequest               float64 `json:"allocs_per_req"`
	Version                        string  `json:"version"`
}

func parseOptions() options {
	var o options
	flag.StringVar(&o.endpointURL, "endpoint-url", "", "endpoint URL (required)")
	flag.StringVar(&o.caBundle, "ca-bundle", "", "PEM file of trusted CAs (required)")
	flag.StringVar(&o.requestFile, "request-file", "", "CreateChatToken input as JSON (required)")
	flag.IntVar(&o.requests, "requests", 20000, "measured calls")
	flag.IntVar(&o.concurrency, "concurrency", 64, "calls in flight")
	flag.IntVar(&o.connections, "connections", 64, "connection pool size")
	flag.IntVar(&o.warmup, "warmup", 256, "uncounted calls first")
	flag.Parse()
	if o.endpointURL == "" || o.caBundle == "" || o.requestFile == "" ||
		o.requests < 1 || o.concurrency < 1 || o.connections < 1 || o.warmup < 0 {
		fmt.Fprintln(os.Stderr, "aws-sdk-go-v2: --endpoint-url, --ca-bundle, --request-file are required; "+
			"--requests, --concurrency, --connections >= 1; --warmup >= 0")
		os.Exit(2)
	}
	return o
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "aws-sdk-go-v2: %v\n", err)
	os.Exit(1)
}

// percentile is the nearest-rank percentile of an ascending slice.
func percentile(sorted []float64, p float64) float64 {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

func round(value float64, digits int) float64 {
	scale := math.Pow(10, float64(digits))
	return math.Round(value*scale) / scale
}

func seconds(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

func main() {
	o := parseOptions()

	requestJSON, err := os.ReadFile(o.requestFile)
	if err != nil {
		fail(err)
	}
	var input ivschat.CreateChatTokenInput
	if err := json.Unmarshal(requestJSON, &input); err != nil {
		fail(fmt.Errorf("%s: %w", o.requestFile, err))
	}
	caPEM, err := os.ReadFile(o.caBundle)
	if err != nil {
		fail(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		fail(fmt.Errorf("%s: no PEM certificate", o.caBundle))
	}

	var connectionsOpened atomic.Int64
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
			connectionsOpened.Add(1)
			return dialer.DialContext(ctx, network, address)
		},
		TLSClientConfig:     &tls.Config{RootCAs: roots},
		MaxIdleConns:        o.connections,
		MaxIdleConnsPerHost: o.connections,
		MaxConnsPerHost:     o.connections,
		IdleConnTimeout:     90 * time.Second,
	}
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = "us-west-2"
	}
	client := ivschat.New(ivschat.Options{
		Region: region,
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
			os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"), "")),
		EndpointResolver: ivschat.EndpointResolverFromURL(o.endpointURL),
		HTTPClient:       &http.Client{Transport: transport},
	})

	var failures atomic.Int64
	runCalls := func(count int, latenciesMs []float64) {
		var next atomic.Int64
		var workers sync.WaitGroup
		for w := 0; w < o.concurrency && w < count; w++ {
			workers.Add(1)
			go func() {
				defer workers.Done()
				for index := int(next.Add(1) - 1); index < count; index = int(next.Add(1) - 1) {
					start := time.Now()
					callInput := input
					output, err := client.CreateChatToken(context.Background(), &callInput)
					if err == nil && (output.Token == nil || *output.Token == "") {
						err = errors.New("response without token")
					}
					if err != nil && failures.Add(1) <= 3 {
						fmt.Fprintf(os.Stderr, "aws-sdk-go-v2: call failed: %v\n", err)
					}
					if latenciesMs != nil {
						latenciesMs[index] = float64(time.Since(start).Nanoseconds()) / 1e6
					}
				}
			}()
		}
		workers.Wait()
	}

	if o.warmup > 0 {
		runCalls(o.warmup, nil)
	}
	failures.Store(0)
	connectionsBefore := connectionsOpened.Load()

	latenciesMs := make([]float64, o.requests)
	var memBefore, memAfter runtime.MemStats
	runtime.ReadMemStats(&memBefore)
	var usageBefore, usageAfter syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usageBefore); err != nil {
		fail(err)
	}
	wallStart := time.Now()
	runCalls(o.requests, latenciesMs)
	wallSeconds := time.Since(wallStart).Seconds()
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usageAfter); err != nil {
		fail(err)
	}
	runtime.ReadMemStats(&memAfter)
	sort.Float64s(latenciesMs)

	cpuUser := seconds(usageAfter.Utime) - seconds(usageBefore.Utime)
	cpuSys := seconds(usageAfter.Stime) - seconds(usageBefore.Stime)
	requests := float64(o.requests)
	result := benchResult{
		Client:                         "aws-sdk-go-v2",
		Operation:                      "create-chat-token",
		Requests:                       o.requests,
		Concurrency:                    o.concurrency,
		WallSeconds:                    round(wallSeconds, 4),
		RequestsPerSecond:              round(requests/wallSeconds, 1),
		CPUUserSeconds:                 round(cpuUser, 4),
		CPUSysSeconds:                  round(cpuSys, 4),
		CPUMicrosPerRequest:            round((cpuUser+cpuSys)*1e6/requests, 2),
		P50Ms:                          round(percentile(latenciesMs, 50), 3),
		P90Ms:                          round(percentile(latenciesMs, 90), 3),
		P99Ms:                          round(percentile(latenciesMs, 99), 3),
		MaxMs:                          round(latenciesMs[len(latenciesMs)-1], 3),
		PeakRSSMB:                      round(float64(usageAfter.Maxrss)/1024, 1),
		Errors:                         failures.Load(),
		ConnectionsOpened:              connectionsOpened.Load(),
		ConnectionsOpenedMeasuredPhase: connectionsOpened.Load() - connectionsBefore,
		AllocsPerRequest:               round(float64(memAfter.Mallocs-memBefore.Mallocs)/requests, 1),
		Version:                        fmt.Sprintf("aws-sdk-go-v2 %s (Debian), %s", sdkVersion, runtime.Version()),
	}
	line, err := json.Marshal(result)
	if err != nil {
		fail(err)
	}
	fmt.Println(string(line))
}
