package demodata

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// RNG streams: each part of the data draws from its own PCG stream of the
// seed, so changing one generator does not reshuffle the others.
const (
	streamProducts = iota + 1
	streamCustomers
	streamOrders
)

func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream))
}

// skewed returns an index in [0, n) that favours small indexes: power 1 is
// uniform, larger powers concentrate on the head.
func skewed(r *rand.Rand, n int, power float64) int {
	return min(n-1, int(float64(n)*math.Pow(r.Float64(), power)))
}

// world is the dimension data every table draws from: products and
// customers with the attributes orders depend on. Index i holds id i+1.
type world struct {
	today int32 // Now's date as date32
	sz    sizes

	prodCat   []uint8
	prodBrand []int16 // -1 = no brand (NULL)
	prodName  []string
	prodPrice []int64   // cents
	byCat     [][]int64 // product ids per category, ascending
	popular   []int64   // product ids, most popular first

	custFirst, custLast []uint8
	custCountry         []uint8
	custSegment         []int8 // -1 = unknown (NULL)
	custSignup          []int32
	custFav             []uint8 // favourite category
	heavy               []int64 // heavy buyers: customers active over the whole history
}

func newWorld(o Options) *world {
	w := &world{today: o.day(), sz: sizesFor(o.Scale)}
	w.makeProducts(newRand(o.Seed, streamProducts))
	w.makeCustomers(newRand(o.Seed, streamCustomers))
	return w
}

func (w *world) makeProducts(r *rand.Rand) {
	n := int(w.sz.products)
	w.prodCat = make([]uint8, n)
	w.prodBrand = make([]int16, n)
	w.prodName = make([]string, n)
	w.prodPrice = make([]int64, n)
	w.byCat = make([][]int64, len(categories))
	for i := range n {
		c := skewed(r, len(categories), 1.3)
		w.prodCat[i] = uint8(c)
		w.byCat[c] = append(w.byCat[c], int64(i+1))
		w.prodBrand[i] = int16(r.IntN(len(brands)))
		if r.IntN(50) == 0 {
			w.prodBrand[i] = -1
		}
		brand := "Generic"
		if b := w.prodBrand[i]; b >= 0 {
			brand = brands[b]
		}
		w.prodName[i] = fmt.Sprintf("%s %s %s %c%d", brand, adjectives[r.IntN(len(adjectives))],
			categories[c].noun, 'A'+rune(r.IntN(26)), 100+r.IntN(900))
		// Log-normal around the category's typical price, ending in .99.
		eur := categories[c].basePrice * math.Exp(0.5*r.NormFloat64())
		w.prodPrice[i] = max(1, int64(eur))*100 - 1
	}
	w.popular = make([]int64, n)
	for i, p := range r.Perm(n) {
		w.popular[i] = int64(p + 1)
	}
}

func (w *world) makeCustomers(r *rand.Rand) {
	n := int(w.sz.customers)
	w.custFirst = make([]uint8, n)
	w.custLast = make([]uint8, n)
	w.custCountry = make([]uint8, n)
	w.custSegment = make([]int8, n)
	w.custSignup = make([]int32, n)
	w.custFav = make([]uint8, n)
	countryW := make([]int, len(countries))
	for i, c := range countries {
		countryW[i] = c.weight
	}
	segmentW := make([]int, len(segments))
	for i, s := range segments {
		segmentW[i] = s.share
	}
	first, last := w.today-5*365, w.today-60 // accounts opened between five years and two months ago
	historyStart := w.today - historyDays
	var early []int64
	for i := range n {
		w.custFirst[i] = uint8(r.IntN(len(firstNames)))
		w.custLast[i] = uint8(r.IntN(len(lastNames)))
		w.custCountry[i] = uint8(weighted(r, countryW))
		w.custSegment[i] = int8(weighted(r, segmentW))
		if r.IntN(33) == 0 {
			w.custSegment[i] = -1
		}
		w.custSignup[i] = first + r.Int32N(last-first+1)
		w.custFav[i] = uint8(skewed(r, len(categories), 1.3))
		if w.custSignup[i] <= historyStart {
			early = append(early, int64(i+1))
		}
	}
	if len(early) == 0 { // only possible for tiny scales: keep one long-standing customer
		w.custSignup[0] = first
		early = []int64{1}
	}
	r.Shuffle(len(early), func(i, j int) { early[i], early[j] = early[j], early[i] })
	w.heavy = early[:min(len(early), max(5, n/100))]
}

// weighted returns an index drawn with the given integer weights.
func weighted(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}
