package ops

import "github.com/meshql/meshql/executor/membudget"

// MemoryUser is implemented by operators that reserve memory from the
// query's budget; EXPLAIN ANALYZE shows each one's peak reservation and
// spilled bytes. Reservation is nil for an operator that holds nothing
// (UNION ALL).
type MemoryUser interface {
	Reservation() *membudget.Reservation
}

func (o *sortOp) Reservation() *membudget.Reservation    { return o.res }
func (o *hashAggOp) Reservation() *membudget.Reservation { return o.res }
func (c *joinCore) Reservation() *membudget.Reservation  { return c.res }
func (o *windowOp) Reservation() *membudget.Reservation  { return o.res }
func (o *topnOp) Reservation() *membudget.Reservation    { return o.res }
func (o *setOpOp) Reservation() *membudget.Reservation   { return o.res }
