package pgregex

import (
	"context"
	"regexp"
	"regexp/syntax"
	"unicode/utf8"

	"github.com/meshql/meshql/sqltypes"
)

// Regexp is a compiled ARE. It is safe for concurrent use.
type Regexp struct {
	// re2 decides whether and where a match starts; nil when the pattern
	// uses constraints RE2 lacks.
	re2 *regexp.Regexp
	// longest is re2 in leftmost-longest mode: PostgreSQL's extents and
	// captures when prog is nil.
	longest *regexp.Regexp
	// prog runs PostgreSQL's rules; nil when RE2's leftmost-longest
	// answer is the same.
	prog *prog
	// leftCtx: the pattern looks behind its start (^, \b, …), so RE2
	// cannot search from the middle of a string alone.
	leftCtx bool
	// after and afterLongest are re2 and longest behind one character of
	// any kind: searching from the character before a position gives the
	// pattern that character as its left context (set with leftCtx).
	after, afterLongest *regexp.Regexp
	ncap                int
}

// Compile compiles an ARE with the given options; a bad pattern is
// 2201B as in PostgreSQL, a back-reference 0A000.
func Compile(pattern string, o Options) (*Regexp, error) {
	pattern, err := leadingOptions(pattern, &o)
	if err != nil {
		return nil, err
	}
	tr, err := translate(pattern, o, false)
	if err != nil {
		return nil, err
	}
	r := &Regexp{}
	prefix := goFlags(o)
	if tr.re2 != "" {
		if r.re2, err = regexp.Compile(prefix + tr.re2); err != nil {
			return nil, goSyntaxError(err)
		}
		r.ncap = r.re2.NumSubexp()
		r.longest = r.re2.Copy()
		r.longest.Longest()
		if r.leftCtx, err = looksBehind(prefix + tr.re2); err != nil {
			return nil, err
		}
		if !tr.pgRules && !r.leftCtx {
			return r, nil
		}
		if r.leftCtx {
			if r.after, err = regexp.Compile(prefix + "(?s:.)(?:" + tr.re2 + ")"); err != nil {
				return nil, goSyntaxError(err)
			}
			r.afterLongest = r.after.Copy()
			r.afterLongest.Longest()
		}
	}
	mk, err := translate(pattern, o, true)
	if err != nil {
		return nil, err
	}
	if r.prog, err = newProg(prefix + mk.engine); err != nil {
		return nil, err
	}
	r.ncap = r.prog.ncap
	return r, nil
}

// goFlags is the (?flags) prefix that gives Go's parser the options.
func goFlags(o Options) string {
	f := ""
	if !o.NewlineStop {
		f += "s"
	}
	if o.NewlineAnchor {
		f += "m"
	}
	if o.CaseInsensitive {
		f += "i"
	}
	if f == "" {
		return ""
	}
	return "(?" + f + ")"
}

// NumSubexp is the number of capturing groups.
func (r *Regexp) NumSubexp() int { return r.ncap }

// MatchString reports whether s contains a match. The error is 2201B
// when the engine's step budget runs out (never a silent false).
func (r *Regexp) MatchString(s string) (bool, error) {
	if r.re2 != nil {
		return r.re2.MatchString(s), nil
	}
	m, err := r.FindStringSubmatchIndex(s)
	return m != nil, err
}

// FindStringSubmatchIndex returns the leftmost match and its groups as
// index pairs (-1 for a group that did not take part), nil if none. The
// error is 2201B when the engine's step budget runs out.
func (r *Regexp) FindStringSubmatchIndex(s string) ([]int, error) {
	ms, err := r.FindAllStringSubmatchIndex(s, 1)
	if len(ms) == 0 {
		return nil, err
	}
	return ms[0], err
}

// FindAllStringSubmatchIndex returns up to n (all if n < 0) successive
// matches as PostgreSQL iterates them: each search starts where the last
// match ended, one character further after an empty match, and an empty
// match right after a match counts.
func (r *Regexp) FindAllStringSubmatchIndex(s string, n int) ([][]int, error) {
	return r.FindAllFrom(s, 0, n)
}

// FindAllFrom is FindAllStringSubmatchIndex searching from byte offset
// from, with the text before it still seen by ^ and \b.
func (r *Regexp) FindAllFrom(s string, from, n int) ([][]int, error) {
	return r.FindAllContext(context.Background(), s, from, n)
}

// cancelCheckEvery is how many matches FindAllContext finds between two
// looks at its context.
const cancelCheckEvery = 16

// FindAllContext is FindAllFrom that stops with ctx's error (57014 for a
// canceled query) while it finds matches: one value can hold hundreds of
// thousands (a 'g' flag over a long text), each bounded by the step budget
// but not all together.
func (r *Regexp) FindAllContext(ctx context.Context, s string, from, n int) ([][]int, error) {
	var out [][]int
	var eng *search
	defer func() {
		if eng != nil {
			r.prog.release(eng)
		}
	}()
	for pos := from; pos <= len(s) && (n < 0 || len(out) < n); {
		var m []int
		switch {
		case r.prog == nil || r.prog.midOnly && pos == 0:
			m = r.longest.FindStringSubmatchIndex(s[pos:])
			shift(m, pos)
		default:
			hint, end := -1, -1
			if r.re2 != nil {
				// The leftmost start is the same under both rules;
				// leftmost-first finds it without reading to the longest
				// end (for .*? that is the end of the text, every match).
				longest := r.prog.root.pref != prefShorter // its end is the match's
				loc := r.startAt(s, pos, longest)
				if loc == nil {
					return out, nil
				}
				hint = loc[0]
				if longest {
					end = loc[1]
				}
			}
			if eng == nil {
				eng = r.prog.newSearch(s)
			}
			var err error
			if m, err = eng.find(pos, hint, end); err != nil {
				return out, err
			}
		}
		if m == nil {
			break
		}
		out = append(out, m)
		if len(out)%cancelCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, sqltypes.AsError(err)
			}
		}
		pos = m[1]
		if m[0] == m[1] {
			if pos == len(s) {
				break
			}
			_, w := utf8.DecodeRuneInString(s[pos:])
			pos += w
		}
	}
	return out, nil
}

// startAt finds where RE2 sees the leftmost match at or after pos start
// and end (leftmost-longest when longest), as offsets into s.
func (r *Regexp) startAt(s string, pos int, longest bool) []int {
	if pos == 0 || !r.leftCtx {
		finder := r.re2
		if longest {
			finder = r.longest
		}
		loc := finder.FindStringIndex(s[pos:])
		shift(loc, pos)
		return loc
	}
	finder := r.after
	if longest {
		finder = r.afterLongest
	}
	_, w := utf8.DecodeLastRuneInString(s[:pos])
	from := pos - w
	loc := finder.FindStringIndex(s[from:])
	if loc == nil {
		return nil
	}
	_, lead := utf8.DecodeRuneInString(s[from+loc[0]:])
	return []int{from + loc[0] + lead, from + loc[1]}
}

// looksBehind reports whether a Go pattern has an assertion that reads
// the text before its position.
func looksBehind(goPattern string) (bool, error) {
	re, err := syntax.Parse(goPattern, syntax.Perl)
	if err != nil {
		return false, goSyntaxError(err)
	}
	var walk func(*syntax.Regexp) bool
	walk = func(n *syntax.Regexp) bool {
		switch n.Op {
		case syntax.OpBeginLine, syntax.OpBeginText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
			return true
		}
		for _, c := range n.Sub {
			if walk(c) {
				return true
			}
		}
		return false
	}
	return walk(re), nil
}

func shift(m []int, by int) {
	for k := range m {
		if m[k] >= 0 {
			m[k] += by
		}
	}
}
