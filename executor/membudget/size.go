package membudget

import (
	"strconv"
	"strings"

	"github.com/meshql/meshql/sqltypes"
)

// units are PostgreSQL's memory units, largest first (1024-based).
var units = []struct {
	name string
	mult int64
}{{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"kB", 1 << 10}}

// ParseSize parses a memory setting the way PostgreSQL parses work_mem:
// an integer with an optional unit B, kB, MB, GB or TB (1024-based, case
// ignored, "MiB"-style spellings accepted); a bare number is kilobytes.
// "0", "-1" and "unlimited" mean unlimited (returned as 0).
func ParseSize(v string) (int64, error) {
	s := strings.ToLower(strings.TrimSpace(v))
	if s == "-1" || s == "unlimited" {
		return 0, nil
	}
	mult := int64(1 << 10)
	if num, ok := strings.CutSuffix(s, "b"); ok {
		num = strings.TrimSuffix(num, "i")
		mult = 1
		for _, u := range units {
			if n, ok := strings.CutSuffix(num, strings.ToLower(u.name[:1])); ok {
				num, mult = n, u.mult
				break
			}
		}
		s = strings.TrimSpace(num)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, sqltypes.New(sqltypes.CodeInvalidParameterValue, "invalid value for parameter %q: %q", Setting, v).
			WithHint("Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".")
	}
	return n * mult, nil
}

// HumanSize renders bytes for people, rounded: "512B", "1.5kB", "3.2MB".
func HumanSize(n int64) string {
	if n < 1<<10 {
		return strconv.FormatInt(n, 10) + "B"
	}
	for _, u := range units {
		if n >= u.mult {
			return strconv.FormatFloat(float64(n)/float64(u.mult), 'f', 1, 64) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// FormatSize renders bytes in the largest PostgreSQL unit that divides
// them ("256MB", "1536kB", "100B"); 0 renders as "unlimited".
func FormatSize(n int64) string {
	if n <= 0 {
		return "unlimited"
	}
	for _, u := range units {
		if n%u.mult == 0 {
			return strconv.FormatInt(n/u.mult, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}
