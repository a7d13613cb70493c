package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// scrape reads the named gauges from a Prometheus text endpoint.
func scrape(ctx context.Context, url string, names ...string) (map[string]int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("loadtest: metrics: %w", err)
	}
	defer resp.Body.Close()
	out := map[string]int64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		for _, n := range names {
			if name == n {
				f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
				if err == nil {
					out[n] = int64(f)
				}
			}
		}
	}
	for _, n := range names {
		if _, ok := out[n]; !ok {
			return nil, fmt.Errorf("loadtest: %s has no gauge %s", url, n)
		}
	}
	return out, sc.Err()
}

func scrapeGauges(ctx context.Context, url string) (Gauges, error) {
	m, err := scrape(ctx, url, "go_goroutines", "process_open_fds")
	if err != nil {
		return Gauges{}, err
	}
	return Gauges{Goroutines: m["go_goroutines"], OpenFDs: m["process_open_fds"]}, nil
}

// watchRSS records each server's peak resident memory, sampled every
// 500 ms, until the returned stop is called.
func watchRSS(ctx context.Context, urls []string, peak []int64) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			for i, u := range urls {
				if m, err := scrape(ctx, u, "process_resident_memory_bytes"); err == nil {
					peak[i] = max(peak[i], m["process_resident_memory_bytes"])
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() { cancel(); wg.Wait() }
}
