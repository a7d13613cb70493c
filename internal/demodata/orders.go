package demodata

import (
	"math"
	"math/rand/v2"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// orderGen produces sales.orders_v1 in booking order: day by day from two
// years before Now to the day before Now, baskets of one to four lines per
// customer, order_id ascending.
type orderGen struct {
	w    *world
	r    *rand.Rand
	days []int64 // order lines per day; index 0 is today-historyDays

	day        int   // current day index
	leftToday  int64 // lines still to write on the current day
	basketLeft int   // lines still to write in the current basket
	customer   int64
	status     string
	prevCat    int
	nextID     int64
}

func newOrderGen(w *world, seed int64) *orderGen {
	g := &orderGen{w: w, r: newRand(seed, streamOrders), day: -1, nextID: 1}
	g.days = dayCounts(g.r, w.sz.orders, w.today-historyDays)
	return g
}

// dayCounts spreads total lines over historyDays days: business grows
// fourfold over the two years, weekends are busier, and each day varies
// by ±10%. Rounding the running sum keeps the total exact.
func dayCounts(r *rand.Rand, total int64, firstDay int32) []int64 {
	weights := make([]float64, historyDays)
	sum := 0.0
	for i := range weights {
		growth := math.Exp(math.Log(4) * float64(i) / (historyDays - 1))
		weekly := 1.0
		switch (firstDay + int32(i) + 4) % 7 { // 1970-01-01 was a Thursday; 0 = Sunday
		case 0, 6:
			weekly = 1.25
		case 1:
			weekly = 1.1
		}
		weights[i] = growth * weekly * (0.9 + 0.2*r.Float64())
		sum += weights[i]
	}
	counts := make([]int64, historyDays)
	cum, prev := 0.0, int64(0)
	for i, w := range weights {
		cum += w
		at := int64(math.Round(cum / sum * float64(total)))
		if i == len(weights)-1 {
			at = total
		}
		counts[i], prev = at-prev, at
	}
	return counts
}

func (g *orderGen) date() int32 { return g.w.today - historyDays + int32(g.day) }

// fill appends the next n order lines.
func (g *orderGen) fill(b *array.RecordBuilder, n int) {
	id := b.Field(0).(*array.Int64Builder)
	cust := b.Field(1).(*array.Int64Builder)
	prod := b.Field(2).(*array.Int64Builder)
	date := b.Field(3).(*array.Date32Builder)
	qty := b.Field(4).(*array.Int32Builder)
	amount := b.Field(5).(*array.Decimal128Builder)
	status := b.Field(6).(*array.StringBuilder)
	for range n {
		for g.leftToday == 0 {
			g.day++
			g.leftToday = g.days[g.day]
			g.basketLeft = 0
		}
		if g.basketLeft == 0 {
			g.newBasket()
		}
		p := g.product()
		q := g.quantity()
		cents := g.w.prodPrice[p-1] * int64(q)
		if g.r.IntN(10) == 0 { // 10% off, rounded to the cent
			cents = (cents*9 + 5) / 10
		}
		id.Append(g.nextID)
		cust.Append(g.customer)
		prod.Append(p)
		date.Append(arrow.Date32(g.date()))
		qty.Append(q)
		amount.Append(decimal128.FromI64(cents))
		status.Append(g.status)
		g.nextID++
		g.leftToday--
		g.basketLeft--
	}
}

// newBasket starts an order of one to four lines for one customer.
func (g *orderGen) newBasket() {
	g.basketLeft = 1 + weighted(g.r, []int{50, 25, 15, 10})
	g.customer = g.pickCustomer(g.date())
	g.prevCat = -1
	age := g.w.today - g.date()
	switch {
	case age <= 2:
		g.status = pick(g.r, []string{"placed", "shipped"}, []int{70, 30})
	case age <= 6:
		g.status = pick(g.r, []string{"shipped", "delivered"}, []int{60, 40})
	default:
		g.status = pick(g.r, []string{"delivered", "returned", "cancelled"}, []int{90, 6, 4})
	}
}

// pickCustomer draws a buyer who had an account on day d. A third of the
// baskets come from the few heavy buyers, so many customers have several
// orders in any 30 days.
func (g *orderGen) pickCustomer(d int32) int64 {
	w := g.w
	if g.r.IntN(100) < 35 {
		return w.heavy[g.r.IntN(len(w.heavy))]
	}
	for range 8 {
		c := g.r.Int64N(w.sz.customers) + 1
		if w.custSignup[c-1] <= d {
			return c
		}
	}
	return w.heavy[g.r.IntN(len(w.heavy))]
}

// product draws the next line's product: often from the category of the
// basket's previous line or the customer's favourite category, otherwise
// by overall popularity.
func (g *orderGen) product() int64 {
	w := g.w
	cat := -1
	switch u := g.r.IntN(100); {
	case g.prevCat >= 0 && u < 50:
		cat = g.prevCat
	case u < 80:
		cat = int(w.custFav[g.customer-1])
	}
	var p int64
	if cat >= 0 && len(w.byCat[cat]) > 0 {
		ids := w.byCat[cat]
		p = ids[skewed(g.r, len(ids), 1.5)]
	} else {
		p = w.popular[skewed(g.r, len(w.popular), 2)]
	}
	g.prevCat = int(w.prodCat[p-1])
	return p
}

func (g *orderGen) quantity() int32 {
	return int32(1 + weighted(g.r, []int{70, 18, 7, 3, 2}))
}

func pick(r *rand.Rand, values []string, weights []int) string {
	return values[weighted(r, weights)]
}
