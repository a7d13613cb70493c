package expr

import (
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshql/meshql/executor"
	"github.com/meshql/meshql/sqltypes"
)

// to_char(number, text) follows PostgreSQL's NUM_processor (formatting.c)
// for the patterns 9 0 . , D G S MI PL SG PR FM and literal text: digit
// positions before and after the decimal point, leading blanks or zeros,
// the sign anchored to the number (or in the MI/PL/SG/PR position), '#'
// in every digit position when the integer part does not fit, and FM's
// suppression of padding and of trailing fractional zeros beyond the
// last '0'. D and G print '.' and ',' (the C locale's). RN prints the
// number rounded to an integer in Roman numerals (15 wide unless FM; '#'
// outside 1..3999), and TH its ordinal suffix. L prints the C locale's
// currency symbol, a blank; B nothing, as in PostgreSQL. EEEE prints the
// number alone in scientific notation (sciText). V shifts the number
// left by as many places as there are 9s after it (the value times
// 10^n, with n more digit positions): integer arguments in their own
// arithmetic as PostgreSQL's int4_to_char (which wraps) and int8_to_char
// (22003 past bigint), real in single precision. to_number reads through
// the same parsed format (func_tonumber.go), where V is 0A000.

type numTokKind uint8

const (
	numLiteral numTokKind = iota
	numDigit9
	numDigit0
	numDecimal
	numComma
	numSign // S
	numMinus
	numPlus
	numSG
	numBracket
	numRoman    // RN; lit "rn" for lower case
	numOrdinal  // TH; lit "th" for lower case
	numCurrency // L
	numMulti    // V: to_char prints nothing for it
)

type numTok struct {
	kind numTokKind
	lit  string
}

// numFormat is a parsed to_char number format (PostgreSQL's NUMDesc).
type numFormat struct {
	toks               []numTok
	pre, post          int // digit positions before and after the point
	zeroStart, zeroEnd int // 1-based positions of the first '0' before the point / last '0' (0: none)
	decimal, fill      bool
	zero               bool // a '0' before the decimal point (IS_ZERO)
	lsign              int  // 0 none, 1 S before the digits, 2 S after
	preLsignNum        int
	plus, minus        bool // PL / MI (SG sets both)
	bracket            bool
	roman              bool // RN: the number prints in Roman numerals
	eeee               bool // EEEE: to_char prints scientific notation, to_number refuses it
	blank              bool // B
	multiOn            bool // V (IS_MULTI)
	multi              int  // the 9s after V: the number is shifted left by as many places
}

var numKeywords = []struct {
	word string
	kind numTokKind
}{
	{"FM", 255}, {"MI", numMinus}, {"PL", numPlus}, {"SG", numSG}, {"PR", numBracket},
	{"EEEE", 254}, {"RN", numRoman}, {"TH", numOrdinal}, {"9", numDigit9}, {"0", numDigit0},
	{".", numDecimal}, {",", numComma}, {"D", numDecimal}, {"G", numComma},
	{"S", numSign}, {"V", numMulti}, {"L", numCurrency}, {"B", 253},
}

func parseNumFormat(f string) (*numFormat, error) { return scanNumFormat(f, false) }

// scanNumFormat parses a number format for to_char, or for to_number
// (input), which reports what it does not read in PostgreSQL's words.
func scanNumFormat(f string, input bool) (*numFormat, error) {
	nf := &numFormat{}
	for i := 0; i < len(f); {
		if f[i] == '"' {
			j := strings.IndexByte(f[i+1:], '"')
			if j < 0 {
				j = len(f) - i - 1
			}
			nf.toks = append(nf.toks, numTok{kind: numLiteral, lit: f[i+1 : i+1+j]})
			i += j + 2
			continue
		}
		matched := false
		for _, kw := range numKeywords {
			if len(f)-i < len(kw.word) || !strings.EqualFold(f[i:i+len(kw.word)], kw.word) {
				continue
			}
			matched = true
			i += len(kw.word)
			if nf.eeee && kw.word != "EEEE" {
				return nil, errNumFormat(`"EEEE" must be the last pattern used`)
			}
			switch kw.kind {
			case 255:
				nf.fill = true
			case 253:
				// B: PostgreSQL parses it and prints and reads nothing for it.
				nf.blank = true
			case numMulti:
				if input {
					return nil, sqltypes.New(sqltypes.CodeFeatureNotSupported, "to_number number format %q is not supported", kw.word)
				}
				if err := nf.add(kw.kind); err != nil {
					return nil, err
				}
			case 254:
				if err := nf.addEEEE(); err != nil {
					return nil, err
				}
			case numRoman, numOrdinal:
				// PostgreSQL has upper- and lower-case keywords for these.
				nf.roman = nf.roman || kw.kind == numRoman
				nf.toks = append(nf.toks, numTok{kind: kw.kind, lit: f[i-len(kw.word) : i]})
			default:
				if err := nf.add(kw.kind); err != nil {
					return nil, err
				}
			}
			break
		}
		if !matched {
			n := len(string([]rune(f[i:])[0]))
			nf.toks = append(nf.toks, numTok{kind: numLiteral, lit: f[i : i+n]})
			i += n
		}
	}
	return nf, nil
}

func errNumFormat(msg string) error { return sqltypes.New(sqltypes.CodeSyntaxError, "%s", msg) }

// addEEEE records EEEE with NUMDesc_prepare's checks: only digit,
// decimal point and group patterns may come with it (to_number refuses
// it once the whole format is checked, as PostgreSQL does).
func (nf *numFormat) addEEEE() error {
	if nf.eeee {
		return errNumFormat(`cannot use "EEEE" twice`)
	}
	if nf.blank || nf.fill || nf.lsign != 0 || nf.bracket || nf.minus || nf.plus || nf.roman || nf.multiOn {
		return sqltypes.New(sqltypes.CodeSyntaxError, `"EEEE" is incompatible with other formats`).
			WithDetail(`"EEEE" may only be used together with digit and decimal point patterns.`)
	}
	nf.eeee = true
	return nil
}

// add records one pattern as PostgreSQL's NUMDesc_prepare does.
func (nf *numFormat) add(k numTokKind) error {
	switch k {
	case numDigit9, numDigit0:
		if nf.bracket {
			return errNumFormat(`"9" must be ahead of "PR"`)
		}
		if k == numDigit9 && nf.multiOn {
			// Only a 9 after V counts for it (NUMDesc_prepare): a 0 is
			// a digit position as any other.
			nf.multi++
			break
		}
		if k == numDigit0 && !nf.zero && !nf.decimal {
			nf.zero, nf.zeroStart = true, nf.pre+1
		}
		if nf.decimal {
			nf.post++
		} else {
			nf.pre++
		}
		if k == numDigit0 {
			nf.zeroEnd = nf.pre + nf.post
		}
	case numDecimal:
		if nf.decimal {
			return errNumFormat("multiple decimal points")
		}
		if nf.multiOn {
			return errNumFormat(`cannot use "V" and decimal point together`)
		}
		nf.decimal = true
	case numMulti:
		if nf.decimal {
			return errNumFormat(`cannot use "V" and decimal point together`)
		}
		nf.multiOn = true
	case numSign:
		if nf.lsign != 0 {
			return errNumFormat(`cannot use "S" twice`)
		}
		if nf.plus || nf.minus || nf.bracket {
			return errNumFormat(`cannot use "S" and "PL"/"MI"/"SG"/"PR" together`)
		}
		if !nf.decimal {
			nf.lsign, nf.preLsignNum = 1, nf.pre
		} else {
			nf.lsign = 2
		}
	case numMinus, numPlus, numSG:
		if nf.lsign != 0 {
			return errNumFormat(`cannot use "S" and "MI"/"PL"/"SG" together`)
		}
		nf.minus = nf.minus || k != numPlus
		nf.plus = nf.plus || k != numMinus
	case numBracket:
		if nf.lsign != 0 || nf.plus || nf.minus {
			return errNumFormat(`cannot use "PR" and "S"/"PL"/"MI"/"SG" together`)
		}
		nf.bracket = true
	}
	nf.toks = append(nf.toks, numTok{kind: k})
	return nil
}

// digits returns the sign and the unsigned digits of a decimal string
// rounded half away from zero to post fractional digits.
func roundDigits(s string, post int) (byte, string) {
	sign := byte('+')
	if strings.HasPrefix(s, "-") {
		sign, s = '-', s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if len(frac) <= post {
		frac += strings.Repeat("0", post-len(frac))
	} else {
		up := frac[post] >= '5'
		digits := []byte(intPart + frac[:post])
		for i := len(digits) - 1; up && i >= 0; i-- {
			if digits[i] == '9' {
				digits[i] = '0'
				continue
			}
			digits[i]++
			up = false
		}
		if up {
			digits = append([]byte{'1'}, digits...)
		}
		intPart, frac = string(digits[:len(digits)-post]), string(digits[len(digits)-post:])
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	if strings.Trim(intPart+frac, "0") == "" {
		sign = '+' // numeric has no negative zero
	}
	if post > 0 {
		return sign, intPart + "." + frac
	}
	return sign, intPart
}

// formatNumber renders one value (sign and digits as numeric_to_char
// prepares them) through the format.
func (nf *numFormat) formatNumber(dst []byte, sign byte, number string) []byte {
	intLen := len(number)
	if i := strings.IndexByte(number, '.'); i >= 0 {
		intLen = i
	}
	outPreSpaces := 0
	if intLen < nf.pre {
		outPreSpaces = nf.pre - intLen
	} else if intLen > nf.pre {
		number = strings.Repeat("#", nf.pre) + "." + strings.Repeat("#", nf.post)
	}
	p := numProc{nf: *nf, sign: sign, number: number, outPreSpaces: outPreSpaces, out: dst}
	return p.run()
}

// numProc is PostgreSQL's NUMProc for to_char.
type numProc struct {
	nf           numFormat
	sign         byte
	number       string
	np           int // read position in number
	outPreSpaces int
	numCurr      int
	numCount     int
	numIn        bool
	signWrote    bool
	lastRelevant int // index in number, -1 none
	// end is where the output stops, -1 nowhere: a digit position past
	// the number's last character copies its terminating NUL in
	// PostgreSQL, which ends the text there (a float's digits narrowed
	// below the format's).
	end int
	out []byte
}

func (p *numProc) run() []byte {
	nf := &p.nf
	if nf.zeroStart > 0 {
		nf.zeroStart--
	}
	if nf.plus || nf.minus {
		p.signWrote = !(nf.plus && !nf.minus)
	} else {
		if p.sign != '-' && nf.fill {
			nf.bracket = false
		}
		p.signWrote = p.sign == '+' && nf.fill && nf.lsign == 0
		if nf.lsign == 1 && nf.pre == nf.preLsignNum {
			nf.lsign = 2
		}
	}
	p.numCount = nf.post + nf.pre - 1
	p.lastRelevant, p.end = -1, -1
	if nf.fill && nf.decimal {
		p.lastRelevant = lastRelevantDecimal(p.number)
		if p.lastRelevant >= 0 && nf.zeroEnd > p.outPreSpaces {
			lastZero := min(len(p.number)-1, nf.zeroEnd-p.outPreSpaces)
			p.lastRelevant = max(p.lastRelevant, lastZero)
		}
	}
	if !p.signWrote && p.outPreSpaces == 0 {
		p.numCount++
	}
	for _, t := range nf.toks {
		switch t.kind {
		case numLiteral:
			p.out = append(p.out, t.lit...)
		case numDigit9, numDigit0, numDecimal:
			p.numPart(t.kind)
		case numComma:
			p.mark(p.numIn, ',')
		case numMinus:
			p.mark(p.sign == '-', '-')
		case numPlus:
			p.mark(p.sign == '+', '+')
		case numSG:
			p.out = append(p.out, p.sign)
		case numCurrency:
			p.out = append(p.out, ' ')
		case numOrdinal:
			if p.number[0] != '#' && p.sign != '-' && !nf.decimal {
				// PostgreSQL's get_th reads the last two digits.
				n := len(p.number)
				v := int64(p.number[n-1] - '0')
				if n > 1 {
					v += 10 * int64(p.number[n-2]-'0')
				}
				if sfx := ordinalSuffix(v); t.lit == "th" {
					p.out = append(p.out, sfx...)
				} else {
					p.out = append(p.out, strings.ToUpper(sfx)...)
				}
			}
		}
	}
	if p.end >= 0 {
		return p.out[:p.end]
	}
	return p.out
}

// formatRoman renders a format with RN, whose other number patterns then
// print nothing (',' MI and PL a blank unless FM), as PostgreSQL's
// "Roman correction" of NUM_processor does.
func (nf *numFormat) formatRoman(dst []byte, v int64) []byte {
	roman := "###############" // PostgreSQL's 15 '#' for a number out of range
	if v >= 1 && v <= 3999 {
		roman = romanNumeral(int(v))
	}
	for _, t := range nf.toks {
		switch t.kind {
		case numLiteral:
			dst = append(dst, t.lit...)
		case numRoman:
			r := roman
			if t.lit == "rn" {
				r = strings.ToLower(r)
			}
			if !nf.fill && len(r) < 15 {
				dst = append(dst, strings.Repeat(" ", 15-len(r))...)
			}
			dst = append(dst, r...)
		case numComma, numMinus, numPlus:
			if !nf.fill {
				dst = append(dst, ' ')
			}
		case numCurrency:
			dst = append(dst, ' ')
		}
	}
	return dst
}

func romanNumeral(v int) string {
	var b strings.Builder
	for _, d := range []struct {
		n int
		s string
	}{{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"}, {50, "L"}, {40, "XL"}, {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}} {
		for ; v >= d.n; v -= d.n {
			b.WriteString(d.s)
		}
	}
	return b.String()
}

// romanValue is the integer RN prints for value i, converted as
// PostgreSQL's to_char functions do: numeric rounds half away from zero,
// floats half to even, and a value beyond integer is 22003 (for floats,
// out of range: '#').
func romanValue(a arrow.Array, t sqltypes.Type, i int) (int64, error) {
	var v int64
	switch t.Kind {
	case sqltypes.Int2:
		return int64(values[int16](a)[i]), nil
	case sqltypes.Int4:
		return int64(values[int32](a)[i]), nil
	case sqltypes.Int8:
		v = values[int64](a)[i]
	case sqltypes.Numeric:
		x, scale := numericAt(a, t, i)
		if isSpecial(x) {
			return 0, errSpecialToInt(x, sqltypes.Int4)
		}
		sign, digits := roundDigits(sqltypes.FormatDecimal(x, scale), 0)
		n, err := strconv.ParseInt(digits, 10, 64)
		if err != nil {
			return 0, errIntegerRange()
		}
		if v = n; sign == '-' {
			v = -n
		}
	default:
		var x float64
		if t.Kind == sqltypes.Float4 {
			x = float64(values[float32](a)[i])
		} else {
			x = values[float64](a)[i]
		}
		x = math.RoundToEven(x)
		if x < math.MinInt32 || x > math.MaxInt32 || math.IsNaN(x) {
			return 0, nil
		}
		return int64(x), nil
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, errIntegerRange()
	}
	return v, nil
}

// bracket is PR's angle bracket c for a negative number, else a blank.
func (p *numProc) bracket(c byte) byte {
	if p.sign == '+' {
		return ' '
	}
	return c
}

// mark writes c when on holds, else a blank (nothing in fill mode).
func (p *numProc) mark(on bool, c byte) {
	switch {
	case on:
		p.out = append(p.out, c)
	case !p.nf.fill:
		p.out = append(p.out, ' ')
	}
}

func lastRelevantDecimal(num string) int {
	i := strings.IndexByte(num, '.')
	if i < 0 {
		return -1
	}
	r := i
	for j := i + 1; j < len(num); j++ {
		if num[j] != '0' {
			r = j
		}
	}
	return r
}

func (p *numProc) cur() byte {
	if p.np < len(p.number) {
		return p.number[p.np]
	}
	return 0
}

// predecSpace: the integer part is a lone 0 printed as a blank ("9.9" of
// 0.1 is " .1").
func (p *numProc) predecSpace() bool {
	return !p.nf.zero && p.np == 0 && len(p.number) > 0 && p.number[0] == '0' && p.nf.post != 0
}

func (p *numProc) lastIsPoint() bool {
	return p.lastRelevant >= 0 && p.number[p.lastRelevant] == '.'
}

func (p *numProc) numPart(kind numTokKind) {
	nf := &p.nf
	isZero := nf.zero
	if !p.signWrote && (p.numCurr >= p.outPreSpaces || isZero && nf.zeroStart == p.numCurr) &&
		(!p.predecSpace() || p.lastIsPoint()) {
		switch {
		case nf.lsign != 0:
			if nf.lsign == 1 {
				p.out = append(p.out, p.sign)
				p.signWrote = true
			}
		case nf.bracket:
			p.out = append(p.out, p.bracket('<'))
			p.signWrote = true
		case p.sign == '+':
			if !nf.fill {
				p.out = append(p.out, ' ')
			}
			p.signWrote = true
		case p.sign == '-':
			p.out = append(p.out, '-')
			p.signWrote = true
		}
	}
	switch {
	case p.numCurr < p.outPreSpaces && (nf.zeroStart > p.numCurr || !isZero):
		if !nf.fill {
			p.out = append(p.out, ' ')
		}
	case isZero && p.numCurr < p.outPreSpaces && nf.zeroStart <= p.numCurr:
		p.out = append(p.out, '0')
		p.numIn = true
	default:
		if p.cur() == '.' {
			if !p.lastIsPoint() || nf.fill {
				p.out = append(p.out, '.')
			}
		} else {
			switch {
			case p.lastRelevant >= 0 && p.np > p.lastRelevant && kind != numDigit0:
			case p.predecSpace():
				if !nf.fill {
					p.out = append(p.out, ' ')
				} else if p.lastIsPoint() {
					p.out = append(p.out, '0')
				}
			default:
				if c := p.cur(); c != 0 {
					p.out = append(p.out, c)
				} else if p.end < 0 {
					p.end = len(p.out)
				}
				p.numIn = true
			}
		}
		if p.np < len(p.number) {
			p.np++
		}
	}
	end := p.numCount
	if p.outPreSpaces > 0 {
		end++
	}
	if nf.decimal {
		end++
	}
	if p.lastRelevant >= 0 && p.lastRelevant == p.np {
		end = p.numCurr
	}
	if p.numCurr+1 == end {
		switch {
		case p.signWrote && nf.bracket:
			p.out = append(p.out, p.bracket('>'))
		case nf.lsign == 2:
			p.out = append(p.out, p.sign)
		}
	}
	p.numCurr++
}

// numberText returns value i of a number array as numeric_to_char,
// int8_to_char or float8_to_char prepare it: sign and digits rounded to
// post fractional digits (floats to at most 15 significant digits, 6 for
// real, which also narrows the format's post, returned). NaN and
// ±Infinity are their names, as PostgreSQL's numeric_out and snprintf
// print them: "NaN" fits where its three characters do, "Infinity"
// mostly turns to '#'.
func numberText(a arrow.Array, t sqltypes.Type, i, post int) (byte, string, int) {
	switch t.Kind {
	case sqltypes.Int4, sqltypes.Int8:
		sign, digits := roundDigits(intText(a, t, i), post)
		return sign, digits, post
	case sqltypes.Numeric:
		x, scale := numericAt(a, t, i)
		if isSpecial(x) {
			if x.Sign() < 0 {
				return '-', "Infinity", post
			}
			return '+', sqltypes.NumericSpecialName(x), post
		}
		sign, digits := roundDigits(sqltypes.FormatDecimal(x, scale), post)
		return sign, digits, post
	}
	v, digits := floatValue(a, t, i)
	return floatText(v, digits, post)
}

// floatText is numberText of a float v printed with at most digits
// significant digits.
func floatText(v float64, digits, post int) (byte, string, int) {
	sign := byte('+')
	if math.Signbit(v) && !math.IsNaN(v) {
		sign = '-'
	}
	intText := ""
	switch {
	case math.IsNaN(v):
		intText = "NaN"
	case math.IsInf(v, 0):
		intText = "Infinity"
	default:
		intText = strconv.FormatFloat(math.Abs(v), 'f', 0, 64)
	}
	switch intLen := len(intText); {
	case intLen >= digits:
		post = 0
	case intLen+post > digits:
		post = digits - intLen
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return sign, intText, post
	}
	s := strconv.FormatFloat(v, 'f', post, 64)
	if strings.HasPrefix(s, "-") {
		s = s[1:]
	} else {
		sign = '+'
	}
	return sign, s, post
}

// shiftedNumberText is numberText of value i times 10^multi, computed
// as PostgreSQL's to_char functions do for V: an integer by int4's
// wrapping multiplication (by (int32) pow(10, multi), which is INT_MIN
// past 10^9 on x86-64) or int8mul (22003 on overflow, and for a factor
// past bigint), numeric exactly, real in single precision and double
// precision in double.
func shiftedNumberText(a arrow.Array, t sqltypes.Type, i, post, multi int) (byte, string, int, error) {
	switch t.Kind {
	case sqltypes.Int4:
		f := int64(math.MinInt32)
		if multi <= 9 {
			f = int64(math.Pow10(multi))
		}
		v := int32(int64(values[int32](a)[i]) * f) // int4 arithmetic: wraps
		sign, digits := roundDigits(strconv.FormatInt(int64(v), 10), post)
		return sign, digits, post, nil
	case sqltypes.Int8:
		if multi > 18 {
			return 0, "", 0, errBigintRange()
		}
		v, f := values[int64](a)[i], int64(math.Pow10(multi))
		if v != 0 && (v*f/f != v || v == math.MinInt64) {
			return 0, "", 0, errBigintRange()
		}
		sign, digits := roundDigits(strconv.FormatInt(v*f, 10), post)
		return sign, digits, post, nil
	case sqltypes.Numeric:
		x, scale := numericAt(a, t, i)
		if isSpecial(x) {
			sign, digits, post := numberText(a, t, i, post)
			return sign, digits, post, nil
		}
		sign, digits := roundDigits(shiftPoint(sqltypes.FormatDecimal(x, scale), multi), post)
		return sign, digits, post, nil
	case sqltypes.Float4:
		v := values[float32](a)[i] * float32(math.Pow10(multi))
		sign, digits, post := floatText(float64(v), 6, post)
		return sign, digits, post, nil
	}
	v, digits := floatValue(a, t, i)
	sign, text, post := floatText(v*math.Pow10(multi), digits, post)
	return sign, text, post, nil
}

// shiftPoint moves the decimal point of the decimal string s k places
// to the right.
func shiftPoint(s string, k int) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if len(frac) < k {
		frac += strings.Repeat("0", k-len(frac))
	}
	intPart, frac = intPart+frac[:k], frac[k:]
	if frac != "" {
		return sign + intPart + "." + frac
	}
	return sign + intPart
}

// numericAt is value i of a numeric array, of one scale or of per-value
// scales, and its scale.
func numericAt(a arrow.Array, t sqltypes.Type, i int) (decimal128.Num, int32) {
	if t.VarScale {
		return VarNumericAt(a, i)
	}
	return values[decimal128.Num](a)[i], t.Scale
}

func intText(a arrow.Array, t sqltypes.Type, i int) string {
	switch t.Kind {
	case sqltypes.Int2:
		return strconv.FormatInt(int64(values[int16](a)[i]), 10)
	case sqltypes.Int4:
		return strconv.FormatInt(int64(values[int32](a)[i]), 10)
	}
	return strconv.FormatInt(values[int64](a)[i], 10)
}

// floatValue is value i of a real, double precision or smallint array
// and the significant digits to_char prints of it (PostgreSQL has no
// to_char(smallint): a smallint takes double precision's, the preferred
// numeric type).
func floatValue(a arrow.Array, t sqltypes.Type, i int) (float64, int) {
	switch t.Kind {
	case sqltypes.Float4:
		return float64(values[float32](a)[i]), 6
	case sqltypes.Int2:
		return float64(values[int16](a)[i]), 15
	}
	return values[float64](a)[i], 15
}

// appendSci appends value i in scientific notation with post fractional
// digits, as to_char prints it for EEEE: the significand rounded half
// away from zero for numeric and bigint (numeric_out_sci, which may
// print 10.00e+00), as C's %e for the others; a blank for the sign of a
// positive number; NaN and ±Infinity fill the layout with '#'. It
// allocates nothing beyond dst's growth: to_char calls it per row.
func appendSci(dst []byte, a arrow.Array, t sqltypes.Type, i, pre, post int) []byte {
	var m decimal128.Num
	var scale int32
	switch t.Kind {
	case sqltypes.Numeric:
		x, s := numericAt(a, t, i)
		if isSpecial(x) {
			return appendSciSpecial(dst, pre, post)
		}
		m, scale = x, s
	case sqltypes.Int8:
		m = decimal128.FromI64(values[int64](a)[i])
	default:
		var v float64
		switch t.Kind {
		case sqltypes.Int2:
			v = float64(values[int16](a)[i])
		case sqltypes.Int4:
			v = float64(values[int32](a)[i])
		default:
			v, _ = floatValue(a, t, i)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return appendSciSpecial(dst, pre, post)
		}
		if !math.Signbit(v) {
			dst = append(dst, ' ')
		}
		return strconv.AppendFloat(dst, v, 'e', post, 64)
	}
	neg, mag := split(m)
	var buf [40]byte
	d := appendMagnitude(buf[:0], mag)
	exp := 0
	if !mag.isZero() {
		exp = len(d) - 1 - int(scale)
	}
	if neg {
		dst = append(dst, '-')
	} else {
		dst = append(dst, ' ')
	}
	// The significand d[0].d[1:post+1], rounded half away from zero.
	at := len(dst)
	dst = append(dst, d[0])
	if post > 0 {
		dst = append(dst, '.')
	}
	for k := 1; k <= post; k++ {
		c := byte('0')
		if k < len(d) {
			c = d[k]
		}
		dst = append(dst, c)
	}
	if post+1 < len(d) && d[post+1] >= '5' {
		j := len(dst) - 1
		for ; j >= at; j-- {
			if dst[j] == '.' {
				continue
			}
			if dst[j] != '9' {
				dst[j]++
				break
			}
			dst[j] = '0'
		}
		if j < at { // 9.99… rounds to 10.00…
			dst = append(dst, 0)
			copy(dst[at+1:], dst[at:])
			dst[at] = '1'
		}
	}
	dst = append(dst, 'e')
	if exp < 0 {
		dst, exp = append(dst, '-'), -exp
	} else {
		dst = append(dst, '+')
	}
	if exp < 10 {
		dst = append(dst, '0')
	}
	return strconv.AppendInt(dst, int64(exp), 10)
}

// appendSciSpecial is EEEE's layout of NaN and ±Infinity: '#' for every
// position but the sign and the point.
func appendSciSpecial(dst []byte, pre, post int) []byte {
	dst = append(dst, ' ')
	for k := 1; k < pre+post+6; k++ {
		c := byte('#')
		if k == pre+1 {
			c = '.'
		}
		dst = append(dst, c)
	}
	return dst
}

// appendMagnitude appends the decimal digits of a ("0" for zero).
func appendMagnitude(dst []byte, a u128) []byte {
	if a.isZero() {
		return append(dst, '0')
	}
	var tmp [40]byte
	k := len(tmp)
	for !a.isZero() {
		var r uint64
		a, r = a.divmod64(1e19)
		for j := 0; j < 19 && (r > 0 || !a.isZero()); j++ {
			k--
			tmp[k] = byte('0' + r%10)
			r /= 10
		}
	}
	return append(dst, tmp[k:]...)
}

// buildToCharNumber: to_char(smallint|integer|bigint|numeric|real|double
// precision, text) → text.
func buildToCharNumber(name string, args []Expr) (Expr, error) {
	t := args[0].Type()
	fmtArg := coerceTo(args[1], sqltypes.TypeText)
	return &callExpr{name: name, args: []Expr{args[0], fmtArg}, t: sqltypes.TypeText, k: func(env *executor.Env, in []arrow.Array, n int) (arrow.Array, error) {
		fv := viewOf(in[1])
		var last string
		var nf *numFormat
		return boundedStr(env, name, arrow.BinaryTypes.String, n, in, func(i int, dst []byte) ([]byte, bool, error) {
			if f := fv.str(i); nf == nil || f != last {
				parsed, err := parseNumFormat(f)
				if err != nil {
					return nil, false, err
				}
				nf, last = parsed, f
			}
			if nf.roman {
				v, err := romanValue(in[0], t, i)
				return nf.formatRoman(dst, v), false, err
			}
			if nf.eeee {
				return appendSci(dst, in[0], t, i, nf.pre, nf.post), false, nil
			}
			if nf.multi > 0 {
				sign, digits, post, err := shiftedNumberText(in[0], t, i, nf.post, nf.multi)
				if err != nil {
					return nil, false, err
				}
				shifted := *nf
				shifted.pre += nf.multi
				shifted.post = post
				return shifted.formatNumber(dst, sign, digits), false, nil
			}
			sign, digits, post := numberText(in[0], t, i, nf.post)
			if post == nf.post {
				return nf.formatNumber(dst, sign, digits), false, nil
			}
			narrowed := *nf
			narrowed.post = post
			return narrowed.formatNumber(dst, sign, digits), false, nil
		})
	}}, nil
}
