package datetmpl

import (
	"strings"

	"github.com/meshql/meshql/sqltypes"
)

// The lenient reader (to_date, to_timestamp) follows PostgreSQL 15's
// DCH_from_char and do_to_timestamp step by step: a silently different
// reading of one field is a wrong date, so every template pattern
// PostgreSQL knows is either read as it reads it or refused as it refuses
// it.

// dateMode is the calendar a field belongs to; a template may not mix the
// Gregorian and the ISO week calendars.
type dateMode uint8

const (
	modeNone dateMode = iota
	modeGregorian
	modeISO
)

// keyword is one template pattern; digit says whether it reads a number,
// which makes the numeric field before it read a fixed width (YYYYMMDD).
type keyword struct {
	name  string
	digit bool
	mode  dateMode
}

// keywords are PostgreSQL's, longest first so that a pattern is not taken
// for its prefix; each is also spelled in lower case, and the names of
// days and months capitalized (Day, Mon).
var keywords = []keyword{
	{"Y,YYY", true, modeGregorian}, {"SSSSS", true, modeNone}, {"MONTH", false, modeGregorian},
	{"A.D.", false, modeNone}, {"A.M.", false, modeNone}, {"B.C.", false, modeNone}, {"P.M.", false, modeNone},
	{"HH24", true, modeNone}, {"HH12", true, modeNone}, {"IDDD", true, modeISO}, {"IYYY", true, modeISO},
	{"SSSS", true, modeNone}, {"YYYY", true, modeGregorian},
	{"DAY", false, modeNone}, {"DDD", true, modeGregorian}, {"FF1", false, modeNone}, {"FF2", false, modeNone},
	{"FF3", false, modeNone}, {"FF4", false, modeNone}, {"FF5", false, modeNone}, {"FF6", false, modeNone},
	{"IYY", true, modeISO}, {"MON", false, modeGregorian}, {"TZH", false, modeNone}, {"TZM", true, modeNone},
	{"YYY", true, modeGregorian},
	{"AD", false, modeNone}, {"AM", false, modeNone}, {"BC", false, modeNone}, {"CC", true, modeNone},
	{"DD", true, modeGregorian}, {"DY", false, modeNone}, {"FX", false, modeNone}, {"HH", true, modeNone},
	{"ID", true, modeISO}, {"IW", true, modeISO}, {"IY", true, modeISO}, {"MI", true, modeNone},
	{"MM", true, modeGregorian}, {"MS", true, modeNone}, {"OF", false, modeNone}, {"PM", false, modeNone},
	{"RM", false, modeGregorian}, {"SS", true, modeNone}, {"TZ", false, modeNone}, {"US", true, modeNone},
	{"WW", true, modeGregorian}, {"YY", true, modeGregorian},
	{"D", true, modeGregorian}, {"I", true, modeISO}, {"J", true, modeNone}, {"Q", true, modeNone},
	{"W", true, modeGregorian}, {"Y", true, modeGregorian},
}

// spells reports whether w, from a template, spells keyword t.
func spells(w, t string) bool {
	if w == t || w == strings.ToLower(t) {
		return true
	}
	switch t {
	case "DAY", "DY", "MONTH", "MON":
		return w == t[:1]+strings.ToLower(t[1:])
	}
	return false
}

type nodeKind uint8

const (
	nodeField nodeKind = iota
	nodeSpace
	nodeSeparator
	nodeChar
)

type node struct {
	kind   nodeKind
	kw     *keyword
	fm, th bool // FM prefix (read up to the next non-digit), TH/th suffix (skip the ordinal)
}

// parseTemplate splits a template into fields and literal characters as
// PostgreSQL's parse_format does: "quoted text" is literal, a backslash
// only escapes a double quote.
func parseTemplate(format string) []node {
	var out []node
	for i := 0; i < len(format); {
		var fm bool
		for len(format)-i >= 2 {
			p := format[i : i+2]
			if p == "FM" || p == "fm" {
				fm = true
			} else if p != "TM" && p != "tm" {
				break // TM (translation) reads English names, as the C locale does
			}
			i += 2
		}
		var kw *keyword
		for k := range keywords {
			t := keywords[k].name
			if len(format)-i >= len(t) && spells(format[i:i+len(t)], t) {
				kw = &keywords[k]
				break
			}
		}
		if kw != nil {
			i += len(kw.name)
			n := node{kind: nodeField, kw: kw, fm: fm}
			if len(format)-i >= 2 {
				switch format[i : i+2] {
				case "TH", "th":
					n.th = true
					i += 2
				case "SP":
					i += 2
				}
			}
			out = append(out, n)
			continue
		}
		if format[i] == '"' {
			for i++; i < len(format) && format[i] != '"'; i++ {
				if format[i] == '\\' && i+1 < len(format) {
					i++
				}
				out = append(out, node{kind: nodeChar})
			}
			i++
			continue
		}
		if format[i] == '\\' && i+1 < len(format) && format[i+1] == '"' {
			i++
		}
		c := format[i]
		i += utf8Len(c)
		switch {
		case c == ' ' || c >= '\t' && c <= '\r':
			out = append(out, node{kind: nodeSpace})
		case isSeparatorChar(c):
			out = append(out, node{kind: nodeSeparator})
		default:
			out = append(out, node{kind: nodeChar})
		}
	}
	return out
}

// utf8Len is the length of the UTF-8 sequence that starts with c.
func utf8Len(c byte) int {
	switch {
	case c >= 0xF0:
		return 4
	case c >= 0xE0:
		return 3
	case c >= 0xC0:
		return 2
	}
	return 1
}

// isSeparatorChar: printable ASCII that is neither a letter nor a digit.
func isSeparatorChar(c byte) bool {
	return c > 0x20 && c < 0x7F && !isAlnum(c)
}

func isSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }

// fromChar holds the fields the template read, 0 meaning unset, as
// PostgreSQL's TmFromChar.
type fromChar struct {
	mode                                 dateMode
	hh, pm, mi, ss, ssss, d, dd, ddd, mm int
	ms, year, bc, ww, w, cc, j, us, yysz int
	clock12                              bool
	tzsign, tzh, tzm, ff                 int
}

var (
	monthsShort = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	dayNames    = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	daysShort   = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	ampm        = [...]string{"am", "pm", "AM", "PM"}
	ampmLong    = [...]string{"a.m.", "p.m.", "A.M.", "P.M."}
	adbc        = [...]string{"ad", "bc", "AD", "BC"}
	adbcLong    = [...]string{"a.d.", "b.c.", "A.D.", "B.C."}
	romanMonths = [...]string{"xii", "xi", "x", "ix", "viii", "vii", "vi", "v", "iv", "iii", "ii", "i"}
)

func invalidFormat(format string, a ...any) *sqltypes.Error {
	return sqltypes.New(sqltypes.CodeInvalidDatetimeFormat, format, a...)
}

// lenientReader is one run of DCH_from_char over an input.
type lenientReader struct {
	s   string
	i   int
	out fromChar
}

// set stores a field's value; a second, different value for the same
// field is PostgreSQL's "conflicting values".
func (r *lenientReader) set(dest *int, v int, n node) error {
	if *dest != 0 && *dest != v {
		return invalidFormat("conflicting values for %q field in formatting string", n.kw.name).
			WithDetail("This value contradicts a previous setting for the same field type.")
	}
	*dest = v
	return nil
}

// nextIsSeparator reports whether the template item after nodes[k] cannot
// start a number, so that field k may read every digit there is.
func nextIsSeparator(nodes []node, k int) bool {
	if nodes[k].th {
		return true
	}
	if k+1 == len(nodes) {
		return true
	}
	n := nodes[k+1]
	if n.kind == nodeField {
		return !n.kw.digit
	}
	return true
}

// number reads field nodes[k]'s integer: every digit up to the next
// non-digit with FM or before a separator, else exactly size characters.
// It returns the characters consumed, blanks included, as PostgreSQL's
// from_char_parse_int_len (MS and US scale by it).
func (r *lenientReader) number(dest *int, size int, nodes []node, k int) (int, error) {
	n := nodes[k]
	init := r.i
	for r.i < len(r.s) && isSpace(r.s[r.i]) {
		r.i++
	}
	start := r.i
	copyEnd := min(len(r.s), start+size)
	var v int64
	var end int
	if n.fm || nextIsSeparator(nodes, k) {
		v, end = strtol(r.s, start, len(r.s))
	} else {
		if copyEnd-start < size {
			return 0, invalidFormat("source string too short for %q formatting field", n.kw.name).
				WithDetail("Field requires %d characters, but only %d remain.", size, copyEnd-start).
				WithHint("If your source string is not fixed-width, try using the \"FM\" modifier.")
		}
		v, end = strtol(r.s, start, copyEnd)
		if end > start && end-start < size {
			return 0, invalidFormat("invalid value %q for %q", r.s[start:copyEnd], n.kw.name).
				WithDetail("Field requires %d characters, but only %d could be parsed.", size, end-start).
				WithHint("If your source string is not fixed-width, try using the \"FM\" modifier.")
		}
	}
	if end == start {
		return 0, invalidFormat("invalid value %q for %q", r.s[start:copyEnd], n.kw.name).WithDetail("Value must be an integer.")
	}
	r.i = end
	if v < -1<<31 || v > 1<<31-1 {
		return 0, sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "value for %q in source string is out of range", n.kw.name).
			WithDetail("Value must be in the range %d to %d.", -1<<31, 1<<31-1)
	}
	if dest != nil {
		if err := r.set(dest, int(v), n); err != nil {
			return 0, err
		}
	}
	return r.i - init, nil
}

// strtol reads an optionally signed decimal integer in s[i:end] as C's
// strtol does, returning where it stopped (i when there is no number);
// values past int64 saturate, which the caller reports as out of range.
func strtol(s string, i, end int) (int64, int) {
	j := i
	for j < end && isSpace(s[j]) {
		j++
	}
	neg := false
	if j < end && (s[j] == '+' || s[j] == '-') {
		neg = s[j] == '-'
		j++
	}
	d := j
	var v int64
	for j < end && s[j] >= '0' && s[j] <= '9' {
		if v < 1<<40 {
			v = v*10 + int64(s[j]-'0')
		}
		j++
	}
	if j == d {
		return 0, i
	}
	if neg {
		v = -v
	}
	return v, j
}

// search reads one of words, case-insensitively, the first that the
// input starts with; its index.
func (r *lenientReader) search(words []string, n node) (int, error) {
	for k, w := range words {
		if len(r.s)-r.i >= len(w) && strings.EqualFold(r.s[r.i:r.i+len(w)], w) {
			r.i += len(w)
			return k, nil
		}
	}
	word := r.s[r.i:]
	if e := strings.IndexFunc(word, func(c rune) bool { return c < 0x80 && isSpace(byte(c)) }); e >= 0 {
		word = word[:e]
	}
	return 0, invalidFormat("invalid value %q for %q", word, n.kw.name).
		WithDetail("The given value did not match any of the allowed values for this field.")
}

// readLenient reads s with the template's fields into a fromChar.
func readLenient(s, format string) (fromChar, error) {
	nodes := parseTemplate(format)
	r := &lenientReader{s: s}
	out := &r.out
	fx := false
	extraSkip := 0
	for k := 0; k < len(nodes) && r.i < len(s); k++ {
		n := nodes[k]
		if !fx && (n.kind == nodeField && n.kw.name != "FX" || k == 0) {
			for r.i < len(s) && isSpace(s[r.i]) {
				r.i++
				extraSkip++
			}
		}
		switch n.kind {
		case nodeSpace, nodeSeparator:
			if fx {
				r.i += utf8Len(s[r.i])
				continue
			}
			// One template blank or separator matches one in the input, or
			// nothing.
			extraSkip--
			if r.i < len(s) && (isSpace(s[r.i]) || isSeparatorChar(s[r.i])) {
				r.i++
				extraSkip++
			}
			continue
		case nodeChar:
			// A literal consumes one input character whatever it is, unless
			// blanks were skipped beyond what the template had.
			if !fx && extraSkip > 0 {
				extraSkip--
			} else if r.i < len(s) {
				r.i += utf8Len(s[r.i])
			}
			continue
		}
		if n.kw.mode != modeNone {
			if out.mode == modeNone {
				out.mode = n.kw.mode
			} else if out.mode != n.kw.mode {
				return *out, invalidFormat("invalid combination of date conventions").
					WithHint("Do not mix Gregorian and ISO week date conventions in a formatting template.")
			}
		}
		if err := r.field(nodes, k, &fx, &extraSkip); err != nil {
			return *out, err
		}
		if n.th {
			for range 2 {
				if r.i < len(s) {
					r.i += utf8Len(s[r.i])
				}
			}
		}
		if !fx {
			extraSkip = 0
			for r.i < len(s) && isSpace(s[r.i]) {
				r.i++
				extraSkip++
			}
		}
	}
	return *out, nil
}

// field reads template field nodes[k] at the reader's position.
func (r *lenientReader) field(nodes []node, k int, fx *bool, extraSkip *int) error {
	n := nodes[k]
	out := &r.out
	var err error
	name := strings.ToUpper(n.kw.name)
	pick := func(words []string, dest *int, value func(int) int) {
		var v int
		if v, err = r.search(words, n); err == nil {
			err = r.set(dest, value(v), n)
		}
	}
	num := func(dest *int, size int) int {
		var l int
		l, err = r.number(dest, size, nodes, k)
		return l
	}
	// Plain numbers: the field they set and their fixed width.
	plain := map[string]struct {
		dest *int
		size int
	}{
		"HH24": {&out.hh, 2}, "MI": {&out.mi, 2}, "SS": {&out.ss, 2}, "MM": {&out.mm, 2},
		"DDD": {&out.ddd, 3}, "IDDD": {&out.ddd, 3}, "DD": {&out.dd, 2}, "D": {&out.d, 1},
		"WW": {&out.ww, 2}, "IW": {&out.ww, 2}, "CC": {&out.cc, 2}, "W": {&out.w, 1}, "J": {&out.j, 1},
	}
	if f, ok := plain[name]; ok {
		num(f.dest, f.size)
		return err
	}
	switch name {
	case "FX":
		*fx = true
	case "A.M.", "P.M.":
		pick(ampmLong[:], &out.pm, func(v int) int { return v % 2 })
		out.clock12 = true
	case "AM", "PM":
		pick(ampm[:], &out.pm, func(v int) int { return v % 2 })
		out.clock12 = true
	case "HH", "HH12":
		num(&out.hh, 2)
		out.clock12 = true
	case "MS":
		// 25 is 0.25 and 250 is 0.25 too; 025 is 0.025.
		l := num(&out.ms, 3)
		out.ms *= [...]int{1, 100, 10, 1}[min(l, 3)]
	case "FF1", "FF2", "FF3", "FF4", "FF5", "FF6", "US":
		size := 6
		if name != "US" {
			out.ff = int(name[2] - '0')
			size = out.ff
		}
		l := num(&out.us, size)
		out.us *= [...]int{1, 100000, 10000, 1000, 100, 10, 1}[min(l, 6)]
	case "SSSS", "SSSSS":
		num(&out.ssss, len(name))
	case "TZ", "OF":
		return sqltypes.New(sqltypes.CodeFeatureNotSupported, "formatting field %q is only supported in to_char", n.kw.name)
	case "TZH":
		// A minus skipped as a separator before TZH is its sign.
		if c := byteAt(r.s, r.i); c == '+' || c == '-' || c == ' ' {
			out.tzsign = 1
			if c == '-' {
				out.tzsign = -1
			}
			r.i++
		} else if *extraSkip > 0 && r.i > 0 && r.s[r.i-1] == '-' {
			out.tzsign = -1
		} else {
			out.tzsign = 1
		}
		num(&out.tzh, 2)
	case "TZM":
		if out.tzsign == 0 {
			out.tzsign = 1
		}
		num(&out.tzm, 2)
	case "A.D.", "B.C.":
		pick(adbcLong[:], &out.bc, func(v int) int { return v % 2 })
	case "AD", "BC":
		pick(adbc[:], &out.bc, func(v int) int { return v % 2 })
	case "MONTH":
		pick(MonthNames[:], &out.mm, func(v int) int { return v + 1 })
	case "MON":
		pick(monthsShort[:], &out.mm, func(v int) int { return v + 1 })
	case "DAY":
		pick(dayNames[:], &out.d, func(v int) int { return v })
		out.d++
	case "DY":
		pick(daysShort[:], &out.d, func(v int) int { return v })
		out.d++
	case "ID":
		num(&out.d, 1)
		// Sunday is 1, as D numbers the days.
		if out.d++; out.d > 7 {
			out.d = 1
		}
	case "Q":
		// PostgreSQL reads the quarter and ignores it.
		num(nil, 1)
	case "Y,YYY":
		err = r.commaYear(n)
	case "YYYY", "IYYY":
		num(&out.year, 4)
		out.yysz = 4
	case "YYY", "IYY", "YY", "IY", "Y", "I":
		if l := num(&out.year, len(name)); err == nil && l < 4 {
			out.year = nearest2020(out.year)
		}
		out.yysz = len(name)
	case "RM":
		pick(romanMonths[:], &out.mm, func(v int) int { return 12 - v })
	}
	return err
}

// commaYear reads Y,YYY as sscanf("%d,%03d") does.
func (r *lenientReader) commaYear(n node) error {
	bad := invalidFormat("invalid input string for \"Y,YYY\"")
	thousands, j := strtol(r.s, r.i, len(r.s))
	if j == r.i || j >= len(r.s) || r.s[j] != ',' {
		return bad
	}
	k := j + 1
	for k < len(r.s) && isSpace(r.s[k]) {
		k++
	}
	units, e := strtol(r.s, k, min(len(r.s), k+3))
	if e == k {
		return bad
	}
	r.i = e
	r.out.yysz = 4
	return r.set(&r.out.year, int(thousands*1000+units), n)
}

// nearest2020 completes a year given in fewer than four digits as
// PostgreSQL's adjust_partial_year_to_2020.
func nearest2020(y int) int {
	switch {
	case y < 70:
		return y + 2000
	case y < 100:
		return y + 1900
	case y < 520:
		return y + 2000
	case y < 1000:
		return y + 1000
	}
	return y
}

// julianEpoch is the Julian day number of 1970-01-01, day 0 of DaysFromCivil.
const julianEpoch = 2440588

// isoWeekDay is the day number of Monday of ISO week `week` of ISO year y.
func isoWeekDay(y int64, week int) int64 {
	day4 := sqltypes.DaysFromCivil(y, 1, 4)
	dow := floorMod(day4+3, 7) // Monday 0
	return day4 - dow + int64(week-1)*7
}

func floorMod(a, b int64) int64 {
	_, r := sqltypes.FloorDivMod(a, b)
	return r
}

// lenientValue turns the fields read into a date and time as PostgreSQL's
// do_to_timestamp: later, more specific fields override earlier defaults,
// and only fields the template set are range-checked.
func lenientValue(s, format string) (Value, error) {
	tmfc, err := readLenient(s, format)
	if err != nil {
		return Value{}, err
	}
	overflow := func() error {
		return sqltypes.New(sqltypes.CodeDatetimeFieldOverflow, "date/time field value out of range: %q", s)
	}
	var hour, minute, sec int
	year, month, day := int64(0), 1, 1
	if tmfc.ssss != 0 {
		hour, minute, sec = tmfc.ssss/3600, tmfc.ssss%3600/60, tmfc.ssss%60
	}
	if tmfc.ss != 0 {
		sec = tmfc.ss
	}
	if tmfc.mi != 0 {
		minute = tmfc.mi
	}
	if tmfc.hh != 0 {
		hour = tmfc.hh
	}
	if tmfc.clock12 {
		if hour < 1 || hour > 12 {
			return Value{}, invalidFormat("hour \"%d\" is invalid for the 12-hour clock", hour).
				WithHint("Use the 24-hour clock, or give an hour between 1 and 12.")
		}
		if tmfc.pm != 0 && hour < 12 {
			hour += 12
		} else if tmfc.pm == 0 && hour == 12 {
			hour = 0
		}
	}
	var hasYear, hasMonth, hasDay bool
	switch {
	case tmfc.year != 0 && tmfc.cc != 0 && tmfc.yysz <= 2:
		// CC and YY: YY is the year within century CC (the 21st century
		// runs from 2001 to 2100).
		cc := tmfc.cc
		if tmfc.bc != 0 {
			cc = -cc
		}
		if y := tmfc.year % 100; y == 0 {
			year = int64(cc) * 100
			if cc < 0 {
				year++
			}
		} else if cc >= 0 {
			year = int64(y) + int64(cc-1)*100
		} else {
			year = int64(cc+1)*100 - int64(y) + 1
		}
		hasYear = true
	case tmfc.year != 0:
		year = int64(tmfc.year)
		if tmfc.bc != 0 {
			year = -year
		}
		if year < 0 {
			year++ // 1 BC is year 0
		}
		hasYear = true
	case tmfc.cc != 0:
		cc := int64(tmfc.cc)
		if tmfc.bc != 0 {
			cc = -cc
		}
		if cc >= 0 {
			year = (cc-1)*100 + 1
		} else {
			year = cc*100 + 1
		}
		hasYear = true
	}
	setDays := func(d int64) {
		year, month, day = sqltypes.CivilFromDays(d)
		hasYear, hasMonth, hasDay = true, true, true
	}
	if tmfc.j != 0 {
		setDays(int64(tmfc.j) - julianEpoch)
	}
	ddd, dd := tmfc.ddd, tmfc.dd
	if tmfc.ww != 0 {
		if tmfc.mode == modeISO {
			d := isoWeekDay(year, tmfc.ww)
			if tmfc.d > 1 {
				d += int64(tmfc.d - 2)
			} else if tmfc.d != 0 {
				d += 6 // Sunday (1) ends the ISO week
			}
			setDays(d)
		} else {
			ddd = (tmfc.ww-1)*7 + 1
		}
	}
	if tmfc.w != 0 {
		dd = (tmfc.w-1)*7 + 1
	}
	if dd != 0 {
		day, hasDay = dd, true
	}
	if tmfc.mm != 0 {
		month, hasMonth = tmfc.mm, true
	}
	if ddd != 0 && (month <= 1 || day <= 1) {
		if year == 0 && tmfc.bc == 0 {
			return Value{}, invalidFormat("cannot calculate day of year without year information")
		}
		if tmfc.mode == modeISO {
			setDays(isoWeekDay(year, 1) - 1 + int64(ddd))
		} else {
			before := 0 // days of the year before month m
			m := 1
			for ; m <= 12 && ddd > before+sqltypes.DaysInMonth(year, m); m++ {
				before += sqltypes.DaysInMonth(year, m)
			}
			if month <= 1 {
				month = m
			}
			if day <= 1 {
				day = ddd - before
			}
			hasMonth, hasDay = true, true
		}
	}
	if hasMonth && (month < 1 || month > 12) || hasDay && (day < 1 || day > 31) ||
		hasYear && hasMonth && hasDay && day > sqltypes.DaysInMonth(year, month) {
		return Value{}, overflow()
	}
	micro := tmfc.ms*1000 + tmfc.us
	if hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 || micro < 0 || micro >= 1_000_000 {
		return Value{}, overflow()
	}
	v := Value{
		Days:       sqltypes.DaysFromCivil(year, month, day),
		Micros:     (int64(hour)*3600+int64(minute)*60+int64(sec))*sqltypes.MicrosPerSecond + int64(micro),
		FracDigits: tmfc.ff,
	}
	if tmfc.tzsign != 0 {
		if tmfc.tzh < 0 || tmfc.tzh > 15 || tmfc.tzm < 0 || tmfc.tzm >= 60 {
			return Value{}, sqltypes.New(sqltypes.CodeInvalidTimeZoneDisplacement, "time zone displacement out of range: %q", s)
		}
		v.Zoned, v.TZSec = true, tmfc.tzsign*(tmfc.tzh*3600+tmfc.tzm*60)
	}
	return v, nil
}

func byteAt(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}
