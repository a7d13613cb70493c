package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// writeProcessMetrics adds the process gauges Prometheus' Go client
// exports under the same names (go_goroutines, process_open_fds,
// process_resident_memory_bytes), read from the runtime and /proc, so
// that leaks of goroutines, sockets or memory show on /metrics. Gauges
// that /proc cannot give (not Linux) are left out.
func writeProcessMetrics(w io.Writer) {
	fmt.Fprintln(w, "# HELP go_goroutines Number of goroutines that currently exist.")
	fmt.Fprintln(w, "# TYPE go_goroutines gauge")
	fmt.Fprintf(w, "go_goroutines %d\n", runtime.NumGoroutine())
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		fmt.Fprintln(w, "# HELP process_open_fds Number of open file descriptors.")
		fmt.Fprintln(w, "# TYPE process_open_fds gauge")
		fmt.Fprintf(w, "process_open_fds %d\n", len(fds)-1) // minus the one reading the folder
	}
	if rss, ok := residentBytes(); ok {
		fmt.Fprintln(w, "# HELP process_resident_memory_bytes Resident memory size in bytes.")
		fmt.Fprintln(w, "# TYPE process_resident_memory_bytes gauge")
		fmt.Fprintf(w, "process_resident_memory_bytes %d\n", rss)
	}
}

// residentBytes reads the resident set size from /proc/self/statm (its
// second field, in pages).
func residentBytes() (int64, bool) {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * int64(os.Getpagesize()), true
}
