package sqltypes

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	// PostgreSQL ships its own tz database; meshql embeds Go's, so that
	// every zone a session names resolves whatever the host has installed
	// (a container image without /usr/share/zoneinfo).
	_ "time/tzdata"
	"unicode"
)

// LookupZone resolves a time zone name as PostgreSQL's AT TIME ZONE and
// timestamptz input do, in PostgreSQL's order: an abbreviation of the
// default timezone_abbreviations set (PST, CEST, MSK; any case), then a
// zone of the tz database (America/New_York; any case, as PostgreSQL
// matches them), then a POSIX offset spec ("+02", "UTC+2", "<+03>-3",
// "EST5"), whose offset counts hours west of UTC: "UTC+2" is two hours
// behind UTC. POSIX specs with a daylight-saving part are not
// recognized.
func LookupZone(name string) (*time.Location, bool) {
	if l, ok := abbrevLocation(strings.ToLower(name)); ok {
		return l, true
	}
	switch strings.ToLower(name) {
	case "utc", "z", "zulu", "gmt", "ut", "uct":
		return time.UTC, true
	}
	if l, ok := loadIANA(name); ok {
		return l, true
	}
	return posixZone(name)
}

// TimeZoneSetting resolves a TimeZone setting as PostgreSQL's does and
// returns the name to keep: a number is hours east of UTC (SET TIME ZONE
// 2, '+05:30' is not a number) kept as the POSIX spec "<+02>-02"; else a
// tz database zone in any case, kept as the database spells it; else a
// POSIX spec ('UTC+2', two hours behind UTC). Abbreviations such as PST
// are not zones here, as in PostgreSQL.
func TimeZoneSetting(v string) (string, *time.Location, bool) {
	if h, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
		secs := int(math.Round(h * 3600))
		if math.Abs(h) > 168 {
			return "", nil, false
		}
		name := posixOffset(secs)
		return "<" + name + ">" + posixOffset(-secs), time.FixedZone(name, secs), true
	}
	switch strings.ToLower(v) {
	case "utc", "z", "zulu", "gmt", "ut", "uct":
		return "UTC", time.UTC, true
	}
	if l, ok := loadIANA(v); ok {
		return l.String(), l, true
	}
	if l, ok := posixZone(v); ok {
		return v, l, true
	}
	return "", nil, false
}

// posixOffset spells secs as +HH[:MM[:SS]].
func posixOffset(secs int) string {
	sign := "+"
	if secs < 0 {
		sign, secs = "-", -secs
	}
	s := fmt.Sprintf("%s%02d", sign, secs/3600)
	if secs%3600 != 0 {
		s += fmt.Sprintf(":%02d", secs/60%60)
		if secs%60 != 0 {
			s += fmt.Sprintf(":%02d", secs%60)
		}
	}
	return s
}

// ISOZoneOffset parses an ISO 8601 offset (+HH, +HH:MM, +HHMM, -HH:MM:SS:
// hours east of UTC) as a fixed zone.
func ISOZoneOffset(s string) (*time.Location, bool) {
	var dt dateTime
	if !strings.HasPrefix(s, "+") && !strings.HasPrefix(s, "-") || !parseZone(s, &dt) {
		return nil, false
	}
	return time.FixedZone(s, dt.zoneOff), true
}

// loadIANA loads a tz database zone given in any case.
func loadIANA(name string) (*time.Location, bool) {
	if name == "" || strings.HasPrefix(name, "+") || strings.HasPrefix(name, "-") || strings.Contains(name, "..") {
		return nil, false
	}
	for _, n := range []string{name, titleZone(name), strings.ToUpper(name)} {
		if l, err := time.LoadLocation(n); err == nil {
			return l, true
		}
	}
	return nil, false
}

// titleZone spells a zone name the way the tz database mostly does:
// each word capitalized (america/new_york → America/New_York).
func titleZone(s string) string {
	b := []rune(strings.ToLower(s))
	up := true
	for i, r := range b {
		if up && unicode.IsLetter(r) {
			b[i] = unicode.ToUpper(r)
		}
		up = r == '/' || r == '_' || r == '-'
	}
	return string(b)
}

// posixZone parses a POSIX TZ spec without daylight-saving rules: an
// optional name (three or more letters, or <...>) and an offset
// [+-]hh[:mm[:ss]] west of UTC, hours up to 167 as PostgreSQL allows.
func posixZone(s string) (*time.Location, bool) {
	name, rest := s, ""
	switch {
	case strings.HasPrefix(s, "<"):
		end := strings.IndexByte(s, '>')
		if end < 0 {
			return nil, false
		}
		name, rest = s[1:end], s[end+1:]
	default:
		i := 0
		for i < len(s) && unicode.IsLetter(rune(s[i])) {
			i++
		}
		if i > 0 && i < 3 {
			return nil, false
		}
		name, rest = s[:i], s[i:]
	}
	if rest == "" {
		return nil, false
	}
	sign := 1
	switch rest[0] {
	case '-':
		sign = -1
		fallthrough
	case '+':
		rest = rest[1:]
	}
	parts := strings.Split(rest, ":")
	if len(parts) > 3 {
		return nil, false
	}
	limits := []int64{167, 59, 59}
	secs := int64(0)
	for k, p := range parts {
		v, ok := atoiAll(p)
		if !ok || len(p) > 3 || v > limits[k] {
			return nil, false
		}
		secs = secs*60 + v
	}
	for k := len(parts); k < 3; k++ {
		secs *= 60
	}
	// An unnamed spec ('+05:30') has no abbreviation: PostgreSQL prints
	// none after a SQL-style timestamptz or for to_char's TZ.
	return time.FixedZone(name, -sign*int(secs)), true
}
