package expr

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// to_number(text, format) reads the text through the format the way
// PostgreSQL's NUM_processor does in its input direction (formatting.c,
// C locale): each 9, 0, '.' or D reads at most one digit (or the decimal
// point), skipping one blank before it; the sign is read before the first
// digit ('-', '+', or '<' with PR), after the last one with S, or at MI,
// PL and SG; ',' and G are skipped when the input has a comma there; L
// and TH skip non-data characters; every other format character skips
// one input character, whatever it is. The digits read become a numeric
// of the scale read, whose integer digits may not outnumber the format's
// (22003 numeric field overflow).
//
// The binder calls ToNumberTextFunc and casts its text to numeric, so
// that the result keeps the scale it was written with as text input to
// numeric does.

// ToNumberTextFunc names the internal function to_number binds to: the
// number to_number reads, as text numeric input accepts. The space keeps
// SQL from calling it.
const ToNumberTextFunc = "to_number text"

// ToNumberScale is the largest scale to_number can read through format:
// its digit positions after the decimal point. ok is false when the
// format does not parse (the call fails when it runs).
func ToNumberScale(format string) (scale int32, ok bool) {
	nf, err := scanNumFormat(format, true)
	if err != nil {
		return 0, false
	}
	return int32(nf.post), true
}

// buildToNumberText: "to_number text"(text, text) → text; NULL for an
// empty format, as PostgreSQL's to_number returns.
func buildToNumberText(name string, args []Expr) (Expr, error) {
	if err := wantArgs(name, args, 2, 2); err != nil {
		return nil, err
	}
	if !args[0].Type().IsString() || !args[1].Type().IsString() {
		return nil, functionError("to_number", args)
	}
	in := []Expr{coerceTo(args[0], sqltypes.TypeText), coerceTo(args[1], sqltypes.TypeText)}
	return &callExpr{name: name, args: in, t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		sv, fv := viewOf(in[0]), viewOf(in[1])
		var last string
		var nf *numFormat
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			f := fv.str(i)
			if f == "" {
				return nil, true, nil
			}
			if nf == nil || f != last {
				parsed, err := parseToNumberFormat(f)
				if err != nil {
					return nil, false, err
				}
				nf, last = parsed, f
			}
			return nf.readNumber(dst, sv.str(i))
		})
	}}, nil
}

// parseToNumberFormat parses a to_number format, refusing what PostgreSQL
// cannot read back.
func parseToNumberFormat(f string) (*numFormat, error) {
	nf, err := scanNumFormat(f, true)
	switch {
	case err != nil:
		return nil, err
	case nf.eeee:
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, `"EEEE" not supported for input`)
	case nf.roman:
		return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, `"RN" not supported for input`)
	}
	return nf, nil
}

// numReader is PostgreSQL's NUMProc for to_number.
type numReader struct {
	nf                *numFormat
	in                string
	p                 int    // read position in in
	sign              byte   // ' ' until a sign is read
	digits            []byte // digits and '.' read
	readPre, readPost int
	readDec           bool
}

// readNumber appends to dst the number s reads as through nf.
func (nf *numFormat) readNumber(dst []byte, s string) ([]byte, bool, error) {
	// Two bytes ahead of the digits leave room for a '-' and a '0'.
	const room = 2
	r := numReader{nf: nf, in: s, sign: ' ', digits: append(dst[:0], "  "...)}
tokens:
	for _, t := range nf.toks {
		if r.done() {
			break
		}
		switch t.kind {
		case numLiteral:
			for range utf8.RuneCountInString(t.lit) {
				if r.done() {
					break tokens
				}
				r.skipChar()
			}
		case numDigit9, numDigit0, numDecimal:
			r.numPart(t.kind)
			r.p++
		case numComma:
			if !nf.fill && r.in[r.p] == ',' {
				r.p++
			}
		case numCurrency:
			r.eatNonData(1)
		case numOrdinal:
			if !nf.decimal {
				r.eatNonData(2)
			}
		case numMinus, numPlus, numSG:
			c := r.in[r.p]
			if c == '-' && t.kind != numPlus || c == '+' && t.kind != numMinus {
				r.sign = c
				r.p++
			} else {
				r.eatNonData(1)
			}
		}
	}
	buf := r.digits
	if k := len(buf); k > room && buf[k-1] == '.' {
		buf = buf[:k-1]
	}
	if len(buf) == room {
		return nil, false, sqltypes.New(sqltypes.CodeInvalidTextRepr, "invalid input syntax for type numeric: %q", string(r.sign))
	}
	if err := nf.checkPrecision(buf[room:], r.readPost); err != nil {
		return nil, false, err
	}
	start := room
	if buf[room] == '.' {
		start--
		buf[start] = '0'
	}
	if r.sign == '-' {
		start--
		buf[start] = '-'
	}
	return buf[start:], false, nil
}

// checkPrecision applies the typmod numeric_to_number gives numeric_in:
// precision pre+scale, scale the digits read after the point.
func (nf *numFormat) checkPrecision(num []byte, scale int) error {
	intPart, _, _ := strings.Cut(string(num), ".")
	if len(strings.TrimLeft(intPart, "0")) <= nf.pre {
		return nil
	}
	limit := "1"
	if nf.pre > 0 {
		limit = "10^" + strconv.Itoa(nf.pre)
	}
	return sqltypes.New(sqltypes.CodeNumericOutOfRange, "numeric field overflow").
		WithDetail("A field with precision %d, scale %d must round to an absolute value less than %s.", nf.pre+scale, scale, limit)
}

func (r *numReader) done() bool { return r.p >= len(r.in) }

// skipChar skips one input character.
func (r *numReader) skipChar() {
	_, n := utf8.DecodeRuneInString(r.in[r.p:])
	r.p += n
}

// eatNonData skips up to n characters that cannot be part of a number.
func (r *numReader) eatNonData(n int) {
	for ; n > 0 && !r.done(); n-- {
		if strings.IndexByte("0123456789.,+-", r.in[r.p]) >= 0 {
			return
		}
		r.skipChar()
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// numPart is NUM_numpart_from_char: it reads, at a digit or decimal point
// position, an optional blank, a sign before the first digit, one digit
// or the point, and a sign right after the last digit. It leaves r.p on
// the last character it consumed.
func (r *numReader) numPart(kind numTokKind) {
	nf := r.nf
	if !r.done() && r.in[r.p] == ' ' {
		r.p++
	}
	if r.done() {
		return
	}
	if r.sign == ' ' && kind != numDecimal && r.readPre+r.readPost == 0 {
		switch c := r.in[r.p]; {
		case c == '-' || c == '<' && nf.bracket:
			r.sign = '-'
			r.p++
		case c == '+':
			r.sign = '+'
			r.p++
		}
		if r.done() {
			return
		}
	}
	isRead := false
	switch c := r.in[r.p]; {
	case isDigit(c):
		if r.readDec && r.readPost == nf.post {
			return
		}
		r.digits = append(r.digits, c)
		if r.readDec {
			r.readPost++
		} else {
			r.readPre++
		}
		isRead = true
	case nf.decimal && !r.readDec && c == '.':
		r.digits = append(r.digits, '.')
		r.readDec, isRead = true, true
	}
	if r.sign != ' ' || r.readPre+r.readPost == 0 {
		return
	}
	switch {
	case nf.lsign != 0:
		// S: the sign right after the last digit read.
		if isRead && r.p+1 < len(r.in) && !isDigit(r.in[r.p+1]) {
			if c := r.in[r.p+1]; c == '-' || c == '+' {
				r.sign = c
				r.p++
			}
		}
	case !isRead && (nf.plus || nf.minus):
		// A trailing MI/PL/SG where the format expected more digits.
		if c := r.in[r.p]; c == '-' || c == '+' {
			r.sign = c
		}
	}
}
