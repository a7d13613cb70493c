package engine

import (
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// TestSignalsUnderLimit: a select list that signals sessions row by row
// signals only the rows LIMIT returns (PostgreSQL computes its select list
// as LIMIT pulls rows), not every row of the batch LIMIT cuts: an
// administrator ending "one session of analyst" ends one.
func TestSignalsUnderLimit(t *testing.T) {
	e, mem, _ := opsEngine(t, Config{}, nil)
	defer mem.AssertSize(t, 0)
	ended := map[int32]*atomic.Int32{}
	var pids []int32
	for range 5 {
		s := session(t, e, "analyst")
		n := new(atomic.Int32)
		s.SetTerminate(func() { n.Add(1) })
		ended[s.ProcessID()] = n
		pids = append(pids, s.ProcessID())
	}
	count := func() (total int32) {
		for _, n := range ended {
			total += n.Load()
		}
		return total
	}
	got := rows(t, e, "admin", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'analyst' LIMIT 1")
	if strings.Join(got, ",") != "t" || count() != 1 {
		t.Errorf("LIMIT 1: %v, %d sessions ended, want 1", got, count())
	}
	// Ordered by a column other than the call's: the first two pids.
	got = rows(t, e, "admin", "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'analyst' ORDER BY pid DESC LIMIT 2")
	slices.Sort(pids)
	want := []string{itoa(pids[4]) + "|t", itoa(pids[3]) + "|t"}
	if !slices.Equal(got, want) || count() != 3 {
		t.Errorf("ORDER BY pid DESC LIMIT 2: %v, want %v; %d calls in all, want 3", got, want, count())
	}
	for i := 3; i < 5; i++ {
		if n := ended[pids[i]].Load(); n == 0 {
			t.Errorf("session %d not ended", pids[i])
		}
	}
}
