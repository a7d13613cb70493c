package membudget

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// ExpectedConcurrency is how many memory-hungry queries the default
// budget assumes run at once.
const ExpectedConcurrency = 8

// DefaultLimit sizes the per-query budget from the machine: half of the
// memory meshql may use (physical memory, or the cgroup's limit when it
// is lower) shared by ExpectedConcurrency queries, i.e. 1/16 of it,
// rounded down to a MB and kept within [64MB, 16GB]. The other half is
// for the Go runtime, Arrow buffers in flight and the OS page cache that
// Parquet scans rely on.
func DefaultLimit() int64 {
	return limitFor(machineMemory())
}

func limitFor(total int64) int64 {
	if total <= 0 {
		return 1 << 30
	}
	l := total / 2 / ExpectedConcurrency
	l = l &^ (1<<20 - 1)
	return min(max(l, 64<<20), 16<<30)
}

// machineMemory is the memory available to this process: MemTotal from
// /proc/meminfo, lowered by a cgroup v2 or v1 limit; 0 when unknown.
func machineMemory() int64 {
	var total int64
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
				total = kb << 10
				break
			}
		}
		f.Close()
	}
	for _, p := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 && (total == 0 || n < total) {
			total = n
		}
	}
	return total
}
