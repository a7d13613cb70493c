package tpchgen

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/pingcap/go-tpc/tpch/dbgen/dist"
)

// textPoolSize is dbgen's TEXT_POOL_SIZE: comments are slices of one
// 300 MiB pool of generated sentences.
const textPoolSize = 300 * 1024 * 1024

// member is one value of a distribution with its cumulative weight.
type member struct {
	text   string
	weight int64
	tokens []string // the value split on spaces, for grammar distributions
}

// distribution is a dbgen weighted set (dists.dss).
type distribution struct {
	members []member
}

// newDistribution reads a distribution from go-tpc's copy of dists.dss.
func newDistribution(name string, tokens bool) (distribution, error) {
	items, ok := dist.Maps[name]
	if !ok || len(items) == 0 {
		return distribution{}, fmt.Errorf("tpchgen: distribution %q is missing", name)
	}
	d := distribution{members: make([]member, len(items))}
	var sum int64
	for i, it := range items {
		sum += int64(it.Weight)
		d.members[i] = member{text: it.Text, weight: sum}
		if tokens {
			d.members[i].tokens = strings.Fields(it.Text)
		}
	}
	return d, nil
}

func (d *distribution) count() int { return len(d.members) }

// pick draws a member with probability proportional to its weight (dbgen
// pick_str): the first member whose cumulative weight reaches the draw.
func (d *distribution) pick(ss *streams, s int) *member {
	j := ss.random(1, d.members[len(d.members)-1].weight, s)
	i := sort.Search(len(d.members), func(i int) bool { return d.members[i].weight >= j })
	return &d.members[i]
}

// dists are the distributions the row makers and the text pool draw from.
// They are read-only once built.
type dists struct {
	nations, regions, oPriority, lInstruct, lShipMode, lRFlag, cMktSegment,
	colors, pTypes, pContainers, articles, nouns, adjectives, adverbs,
	prepositions, verbs, terminators, auxiliaries, np, vp, grammar distribution
}

func newDists() (*dists, error) {
	d := &dists{}
	for _, x := range []struct {
		name   string
		dst    *distribution
		tokens bool
	}{
		{"nations", &d.nations, false}, {"regions", &d.regions, false},
		{"o_oprio", &d.oPriority, false}, {"instruct", &d.lInstruct, false},
		{"smode", &d.lShipMode, false}, {"rflag", &d.lRFlag, false},
		{"msegmnt", &d.cMktSegment, false}, {"colors", &d.colors, false},
		{"p_types", &d.pTypes, false}, {"p_cntr", &d.pContainers, false},
		{"articles", &d.articles, false}, {"nouns", &d.nouns, false},
		{"adjectives", &d.adjectives, false}, {"adverbs", &d.adverbs, false},
		{"prepositions", &d.prepositions, false}, {"verbs", &d.verbs, false},
		{"terminators", &d.terminators, false}, {"auxillaries", &d.auxiliaries, false},
		{"np", &d.np, true}, {"vp", &d.vp, true}, {"grammar", &d.grammar, true},
	} {
		var err error
		if *x.dst, err = newDistribution(x.name, x.tokens); err != nil {
			return nil, err
		}
	}
	// Check the grammar once, so that sentence and phrase cannot meet an
	// unknown token.
	for _, g := range []struct {
		d     *distribution
		known string
	}{{&d.grammar, "VNPT"}, {&d.np, "AJDN"}, {&d.vp, "DVX"}} {
		for _, m := range g.d.members {
			for _, tok := range m.tokens {
				if !strings.ContainsRune(g.known, rune(tok[0])) || len(tok) > 2 {
					return nil, fmt.Errorf("tpchgen: grammar token %q in %q is not one of %s", tok, m.text, g.known)
				}
			}
		}
	}
	return d, nil
}

// textPool builds dbgen's text pool of size bytes from stream 5 of fresh
// streams (init_text_pool). size is textPoolSize except in tests, where a
// smaller pool changes comment text only. ctx is checked every MiB.
func (d *dists) textPool(ctx context.Context, size int) ([]byte, error) {
	ss := initialStreams()
	const sd = 5
	pool := make([]byte, 0, size)
	var sentence []byte
	for next := 0; len(pool) < size; {
		if len(pool) >= next {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			next += 1 << 20
		}
		sentence = d.sentence(sentence[:0], &ss, sd)
		if needed := size - len(pool); needed >= len(sentence)+1 {
			pool = append(pool, sentence...)
			pool = append(pool, ' ')
		} else {
			pool = append(pool, sentence[:needed]...)
		}
	}
	return pool, nil
}

// sentence appends one sentence of the grammar (dbgen txt_sentence).
func (d *dists) sentence(buf []byte, ss *streams, sd int) []byte {
	for _, item := range d.grammar.pick(ss, sd).tokens {
		switch item[0] {
		case 'V':
			buf = d.phrase(buf, &d.vp, ss, sd)
		case 'N':
			buf = d.phrase(buf, &d.np, ss, sd)
		case 'P':
			buf = append(buf, d.prepositions.pick(ss, sd).text...)
			buf = append(buf, " the "...)
			buf = d.phrase(buf, &d.np, ss, sd)
		case 'T':
			buf = buf[:len(buf)-1] // the space after the last word
			buf = append(buf, d.terminators.pick(ss, sd).text...)
		default:
			panic("tpchgen: bad grammar token " + item) // unreachable: newDists checks the grammar
		}
		if len(item) > 1 {
			buf = append(buf, item[1])
		}
	}
	return buf
}

// phrase appends a noun or verb phrase (dbgen txt_np / txt_vp): each word
// followed by its punctuation, if any, and a space.
func (d *dists) phrase(buf []byte, syntax *distribution, ss *streams, sd int) []byte {
	for _, item := range syntax.pick(ss, sd).tokens {
		var src *distribution
		switch item[0] {
		case 'A':
			src = &d.articles
		case 'J':
			src = &d.adjectives
		case 'D':
			src = &d.adverbs
		case 'N':
			src = &d.nouns
		case 'V':
			src = &d.verbs
		case 'X':
			src = &d.auxiliaries
		default:
			panic("tpchgen: bad phrase token " + item) // unreachable: newDists checks the grammar
		}
		buf = append(buf, src.pick(ss, sd).text...)
		if len(item) > 1 {
			buf = append(buf, item[1])
		}
		buf = append(buf, ' ')
	}
	return buf
}
