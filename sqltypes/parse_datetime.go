package sqltypes

import (
	"strconv"
	"strings"
)

// The general date/timestamp input decoder, after PostgreSQL's
// ParseDateTime and DecodeDateTime (numeric dates in the DateStyle order
// of InputContext): the text is cut
// into fields (numbers, dates with - / . separators and possibly a month
// name, times with colons, signed zone offsets, words), and the fields
// fill in the year, month, day, time and zone in whatever order they
// come: '2026-01-15 10:30 PM', 'Jan 15 2026', '15 January 2026',
// 'January 15, 2026', '2026-Jan-15', '20260115', 'Friday 2026-01-16
// 10:00 PST', 'yesterday 10:00'.

type dtFieldKind int

const (
	dtNumber dtFieldKind = iota // digits, maybe with a decimal point
	dtDate                      // digits or words joined by - / . (or a zone name)
	dtTime                      // digits with colons
	dtTZ                        // + or - then digits
	dtWord                      // letters
)

type dtField struct {
	kind dtFieldKind
	s    string // lower case
	orig string // as written (zone names are looked up with it)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }

// splitDateTime cuts s into fields as PostgreSQL's ParseDateTime does.
func splitDateTime(s string) ([]dtField, bool) {
	var out []dtField
	for i := 0; i < len(s); {
		c := s[i]
		start := i
		var kind dtFieldKind
		switch {
		case isSpace(c) || c == ',':
			i++
			continue
		case isDigit(c):
			for i < len(s) && isDigit(s[i]) {
				i++
			}
			kind = dtNumber
			switch {
			case i < len(s) && s[i] == ':':
				kind = dtTime
				for i < len(s) && (isDigit(s[i]) || s[i] == ':' || s[i] == '.') {
					i++
				}
			case i < len(s) && (s[i] == '-' || s[i] == '/' || s[i] == '.'):
				delim := s[i]
				i++
				if i < len(s) && isDigit(s[i]) {
					kind = dtDate
					if delim == '.' {
						kind = dtNumber
					}
					for i < len(s) && isDigit(s[i]) {
						i++
					}
					if i < len(s) && s[i] == delim {
						kind = dtDate
						for i < len(s) && (isDigit(s[i]) || s[i] == delim) {
							i++
						}
					}
				} else {
					kind = dtDate
					for i < len(s) && (isAlnum(s[i]) || s[i] == delim) {
						i++
					}
				}
			}
		case c == '.':
			i++
			for i < len(s) && isDigit(s[i]) {
				i++
			}
			kind = dtNumber
		case isAlpha(c):
			for i < len(s) && isAlpha(s[i]) {
				i++
			}
			kind = dtWord
			isDate := i < len(s) && (s[i] == '-' || s[i] == '/' || s[i] == '.')
			if !isDate && i < len(s) && (s[i] == '+' || isDigit(s[i])) {
				kind, _ := dateKeyword(strings.ToLower(s[start:i]))
				isDate = kind < 0
			}
			if isDate {
				kind = dtDate
				for i < len(s) && (isAlnum(s[i]) || strings.IndexByte("+-/_.:", s[i]) >= 0) {
					i++
				}
			}
		case c == '+' || c == '-':
			i++
			for i < len(s) && isSpace(s[i]) {
				i++
			}
			if i >= len(s) || !isDigit(s[i]) {
				return nil, false
			}
			kind = dtTZ
			for i < len(s) && (isDigit(s[i]) || s[i] == ':' || s[i] == '.' || s[i] == '-') {
				i++
			}
		case c < 0x80 && strings.IndexByte("!\"#$%&'()*;<=>?@[\\]^_`{|}~", c) >= 0:
			i++ // other punctuation only separates
			continue
		default:
			return nil, false
		}
		f := strings.ReplaceAll(s[start:i], " ", "")
		out = append(out, dtField{kind: kind, s: strings.ToLower(f), orig: f})
	}
	return out, true
}

// Keyword kinds of dateKeyword.
const (
	kwMonth = iota
	kwDOW
	kwAMPM
	kwEra
	kwSpecial
	kwIgnore
	kwJulian // J: the next number is a Julian day
)

// dateKeyword classifies a word of date/time input (value: the month
// number, 1 for PM and AD).
func dateKeyword(w string) (kind, value int) {
	for m, names := range [...][2]string{
		{"jan", "january"}, {"feb", "february"}, {"mar", "march"}, {"apr", "april"},
		{"may", "may"}, {"jun", "june"}, {"jul", "july"}, {"aug", "august"},
		{"sep", "september"}, {"oct", "october"}, {"nov", "november"}, {"dec", "december"},
	} {
		if w == names[0] || w == names[1] || m == 8 && w == "sept" {
			return kwMonth, m + 1
		}
	}
	switch w {
	case "sun", "sunday", "mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "wednes",
		"thu", "thur", "thurs", "thursday", "fri", "friday", "sat", "saturday":
		return kwDOW, 0
	case "am", "a.m.":
		return kwAMPM, 0
	case "pm", "p.m.":
		return kwAMPM, 1
	case "bc", "b.c.":
		return kwEra, 0
	case "ad", "a.d.":
		return kwEra, 1
	case "today", "tomorrow", "yesterday", "now", "epoch", "infinity", "allballs":
		return kwSpecial, 0
	case "t", "at", "on":
		return kwIgnore, 0
	case "j", "julian":
		return kwJulian, 0
	}
	return -1, 0
}

// dtDecoder holds what the fields have filled in so far.
type dtDecoder struct {
	dt                   *dateTime
	haveY, haveM, haveD  bool
	textMonth, is2digits bool
	haveTZ               bool
	meridiem             int // 0 none, 1 am, 2 pm
	bc                   bool
	relDay               string // today, tomorrow, yesterday
	julianNext           bool   // a J label waits for its day number
	julian               bool   // the date is a Julian day (no era or 2-digit year rules)
	order                DateOrder
}

// decodeDateTime fills dt from the general forms of date/time input.
// err is errSyntax or errRange.
// order is DateStyle's field order for numeric dates ('01/02/03').
func decodeDateTime(s string, dt *dateTime, order DateOrder) error {
	fields, ok := splitDateTime(s)
	if !ok || len(fields) == 0 {
		return errSyntax
	}
	d := &dtDecoder{dt: dt, order: order}
	for _, f := range fields {
		if err := d.field(f); err != nil {
			return err
		}
	}
	return d.finish()
}

func (d *dtDecoder) field(f dtField) error {
	if d.julianNext {
		// Only a number may follow the label.
		if f.kind != dtNumber {
			return errSyntax
		}
		return d.julianDay(f.s)
	}
	switch f.kind {
	case dtDate:
		if err := d.date(f.s); err == nil {
			return nil
		} else if !d.zone(f.orig) {
			return err
		}
		return nil
	case dtTime:
		if d.dt.hasTime {
			return errSyntax
		}
		rest, err := parseTimePart(f.s, d.dt)
		if err != nil || rest != "" {
			if err == nil {
				err = errSyntax
			}
			return err
		}
		return nil
	case dtTZ:
		if d.haveTZ || !parseZone(f.s, d.dt) {
			return errSyntax
		}
		d.haveTZ = true
		return nil
	case dtNumber:
		return d.number(f.s)
	}
	// A word: a zone abbreviation, else a keyword, else a zone name.
	if _, _, ok := zoneAbbrev(f.s); ok {
		if !d.zone(f.s) {
			return errSyntax
		}
		return nil
	}
	kind, v := dateKeyword(f.s)
	switch kind {
	case kwMonth:
		// A number taken for the month before the month name is the day.
		if d.haveM && !d.textMonth && !d.haveD && d.dt.m <= 31 {
			d.dt.d, d.haveD = d.dt.m, true
		}
		d.dt.m, d.haveM, d.textMonth = v, true, true
	case kwDOW, kwIgnore:
	case kwAMPM:
		if d.meridiem != 0 {
			return errSyntax
		}
		d.meridiem = v + 1
	case kwEra:
		d.bc = v == 0
	case kwJulian:
		d.julianNext = true
	case kwSpecial:
		switch f.s {
		case "today", "tomorrow", "yesterday":
			if d.relDay != "" || d.haveY || d.haveM || d.haveD {
				return errSyntax
			}
			d.relDay = f.s
		case "allballs":
			d.dt.hh, d.dt.mi, d.dt.ss, d.dt.us, d.dt.hasTime = 0, 0, 0, 0, true
		default:
			return errSyntax // epoch, now, infinity stand alone
		}
	default:
		if !d.zone(f.orig) {
			return errSyntax
		}
	}
	return nil
}

// zone sets the zone from a name; false if it is none or a zone is set.
func (d *dtDecoder) zone(name string) bool {
	if d.haveTZ {
		return false
	}
	l, ok := LookupZone(name)
	if !ok {
		return false
	}
	d.dt.zone, d.dt.zoneExplicit, d.haveTZ = l, true, true
	return true
}

// date decodes a date field: its month names first, then its numbers.
func (d *dtDecoder) date(s string) error {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '/' || r == '.' })
	if len(parts) == 1 && len(parts[0]) >= 6 && isDigit(parts[0][0]) {
		return d.numberField(parts[0])
	}
	var nums []string
	for _, p := range parts {
		if isDigit(p[0]) {
			nums = append(nums, p)
			continue
		}
		kind, v := dateKeyword(p)
		if kind != kwMonth || d.haveM {
			return errSyntax
		}
		d.dt.m, d.haveM, d.textMonth = v, true, true
	}
	for _, p := range nums {
		if err := d.dateNumber(p); err != nil {
			return err
		}
	}
	return nil
}

// number decodes a lone number: a date or time in concatenated form
// (20260115, 103000) when it has six or more digits, else one date field.
func (d *dtDecoder) number(s string) error {
	dot := strings.IndexByte(s, '.')
	haveDate := d.haveY || d.haveM || d.haveD
	switch {
	case dot >= 0 && !haveDate:
		return d.date(s)
	case dot > 2 || len(s) >= 6 && (!haveDate || !d.dt.hasTime):
		return d.numberField(s)
	case dot >= 0:
		return errSyntax
	}
	return d.dateNumber(s)
}

// numberField decodes concatenated digits: YYYYMMDD or YYMMDD without a
// date yet, else HHMMSS[.frac] or HHMM.
func (d *dtDecoder) numberField(s string) error {
	whole, frac, _ := strings.Cut(s, ".")
	if !(d.haveY || d.haveM || d.haveD) && frac == "" {
		switch len(whole) {
		case 8:
			return d.ymd(whole[:4], whole[4:6], whole[6:], false)
		case 6:
			return d.ymd(whole[:2], whole[2:4], whole[4:], true)
		}
		return errSyntax
	}
	if d.dt.hasTime {
		return errSyntax
	}
	var t string
	switch len(whole) {
	case 6:
		t = whole[:2] + ":" + whole[2:4] + ":" + whole[4:]
	case 4:
		t = whole[:2] + ":" + whole[2:]
	default:
		return errSyntax
	}
	if frac != "" {
		t += "." + frac
	}
	_, err := parseTimePart(t, d.dt)
	return err
}

func (d *dtDecoder) ymd(y, m, dd string, twoDigit bool) error {
	yv, _ := atoiAll(y)
	mv, _ := atoiAll(m)
	dv, _ := atoiAll(dd)
	d.dt.y, d.dt.m, d.dt.d = yv, int(mv), int(dv)
	d.haveY, d.haveM, d.haveD, d.is2digits = true, true, true, twoDigit
	return nil
}

// dateNumber assigns one numeric date field by what is known so far, as
// PostgreSQL's DecodeNumber does: a first field of three or more digits
// is the year, else the DateStyle order decides which field comes first;
// next to a month name a number is the day unless it has three digits
// (or the order is YMD), and DD-MON-YYYY reads even under YMD.
func (d *dtDecoder) dateNumber(s string) error {
	v, ok := atoiAll(s)
	if !ok {
		return errSyntax
	}
	setY := func() { d.dt.y, d.haveY, d.is2digits = v, true, len(s) <= 2 }
	setD := func() { d.dt.d, d.haveD = int(v), true }
	setM := func() { d.dt.m, d.haveM = int(v), true }
	switch {
	case !d.haveY && !d.haveM && !d.haveD:
		switch {
		case len(s) >= 3 || d.order == OrderYMD:
			setY()
		case d.order == OrderDMY:
			setD()
		default:
			setM()
		}
	case d.haveY && !d.haveM && !d.haveD:
		setM()
	case !d.haveY && d.haveM && !d.haveD:
		if d.textMonth && (len(s) >= 3 || d.order == OrderYMD) {
			setY()
		} else {
			setD()
		}
	case d.haveY && d.haveM && !d.haveD:
		if d.textMonth && len(s) >= 3 && d.is2digits {
			// The first number next to the month name was the day.
			d.dt.d, d.haveD = int(d.dt.y), true
			d.dt.y, d.is2digits = v, false
			break
		}
		setD()
	case d.haveY && !d.haveM && d.haveD:
		setM()
	case !d.haveY && !d.haveM && d.haveD:
		setM()
	case !d.haveY && d.haveM && d.haveD:
		setY()
	default:
		return errSyntax
	}
	return nil
}

// julianDay decodes the number after a J label: a Julian day, its
// fraction (J2451187.5) a time of day, as PostgreSQL's DecodeDateTime
// reads DTK_JULIAN.
func (d *dtDecoder) julianDay(s string) error {
	d.julianNext = false
	whole, frac, hasFrac := strings.Cut(s, ".")
	jd, ok := atoiAll(whole)
	if !ok || jd > 1<<31-1 {
		return errRange
	}
	if d.haveY || d.haveM || d.haveD || d.relDay != "" {
		return errSyntax
	}
	d.dt.y, d.dt.m, d.dt.d = CivilFromDays(jd - unixEpochJulianDay)
	d.haveY, d.haveM, d.haveD, d.julian = true, true, true, true
	if hasFrac {
		if d.dt.hasTime {
			return errSyntax
		}
		f, err := strconv.ParseFloat("0."+frac, 64)
		if err != nil {
			return errSyntax
		}
		// The fraction of a day in microseconds, truncated as dt2time's
		// conversion of PostgreSQL's double is.
		us := int64(f * 86400e6)
		d.dt.hh, d.dt.mi, d.dt.ss = int(us/3600e6), int(us/60e6%60), int(us/1e6%60)
		d.dt.us, d.dt.hasTime = us%1e6, true
	}
	return nil
}

// unixEpochJulianDay is the Julian day of 1970-01-01.
const unixEpochJulianDay = 2440588

func (d *dtDecoder) finish() error {
	dt := d.dt
	if d.julianNext {
		return errSyntax
	}
	if d.relDay != "" {
		if d.haveY || d.haveM || d.haveD {
			return errSyntax
		}
		dt.special = d.relDay
	} else {
		if !d.haveY || !d.haveM || !d.haveD {
			return errSyntax
		}
		if d.is2digits && !d.julian && !d.bc { // '44 BC' is 44 BC, not 2044 BC
			if dt.y < 70 {
				dt.y += 2000
			} else if dt.y < 100 {
				dt.y += 1900
			}
		}
		if d.julian {
			// The Julian day fixed the year: no era, year 0 is 1 BC.
		} else if d.bc {
			if dt.y <= 0 {
				return errSyntax
			}
			dt.y = 1 - dt.y
		} else if dt.y == 0 {
			return errRange
		}
		if dt.m < 1 || dt.m > 12 || dt.d < 1 || dt.y > 5874897 || dt.d > DaysInMonth(dt.y, dt.m) {
			return errRange
		}
	}
	switch {
	case d.meridiem != 0 && (!dt.hasTime || dt.hh > 12):
		return errRange
	case d.meridiem == 1 && dt.hh == 12:
		dt.hh = 0
	case d.meridiem == 2 && dt.hh < 12:
		dt.hh += 12
	}
	return nil
}
