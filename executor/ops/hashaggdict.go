package ops

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"

	"github.com/meshql/meshql/executor/expr"
)

// Group keys that arrive dictionary-encoded. A scan may deliver a text
// column as an Arrow dictionary array (Parquet stores TPC-H Q1's
// l_returnflag and l_linestatus that way); decoding every row's string
// only to hash and compare it again would cost more than the rest of the
// grouping. When every group key is a column that arrives as a
// dictionary, the part instead numbers each row's combination of codes,
// looks up only the combinations it has not seen in this batch in the
// hash table (decoding just those rows), and then gives every row the
// group of its combination. Dictionaries may differ from batch to batch
// (each Parquet row group has its own), so the combinations are mapped
// afresh for each batch; the hash table itself only ever sees plain
// values, so groups, their order of first appearance, the output and the
// spill files are what they would be without dictionaries.

// maxDictCombos bounds the code combinations mapped per batch (beyond
// the batch's row count): more, and most combinations would be seen
// once, so decoding the keys costs no more than mapping them.
const maxDictCombos = 1 << 12

// evalKeys evaluates the group keys over b, leaving a key that is a
// column arriving as a dictionary with int32 codes of the key's own value
// type as that dictionary array, and evaluating a key computed from one
// such column per dictionary entry (expr.DictValue), as a dictionary
// array with the column's codes.
func (o *hashAggOp) evalKeys(ctx context.Context, b arrow.RecordBatch) ([]arrow.Array, error) {
	out := make([]arrow.Array, len(o.groups))
	for i, g := range o.groups {
		if d := dictKey(g, b); d != nil {
			d.Retain()
			out[i] = d
			continue
		}
		if dv, ok := g.(*expr.DictValue); ok {
			d, err := dv.EvalDict(ctx, o.env, b)
			if err != nil {
				releaseArrays(out)
				return nil, err
			}
			if d != nil {
				out[i] = d
				continue
			}
		}
		a, err := evalOne(ctx, o.env, g, b)
		if err != nil {
			releaseArrays(out)
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

// dictKey returns the column of b that g reads when it arrives as a
// dictionary the grouping can take, else nil.
func dictKey(g expr.Expr, b arrow.RecordBatch) *array.Dictionary {
	c, ok := g.(*expr.ColumnExpr)
	if !ok || c.Index < 0 || c.Index >= int(b.NumCols()) {
		return nil
	}
	d, ok := b.Column(c.Index).(*array.Dictionary)
	if !ok || d.Indices().DataType().ID() != arrow.INT32 || !arrow.TypeEqual(d.Dictionary().DataType(), c.T.Arrow()) {
		return nil
	}
	return d
}

// insertKeys sets p.gids to the groups of the rows sel (nil: every row)
// of keys, adding groups, and -1 for the other rows.
func (p *aggPart) insertKeys(ctx context.Context, keys []arrow.Array, sel []int32) error {
	if p.set != nil {
		if ok, err := p.addToSet(ctx, keys, sel, len(p.gids)); ok || err != nil {
			return err
		}
		p.toTable()
	}
	if p.o.keySets {
		defer p.startKeySet(keySetMin)
	}
	if done, err := p.insertCodes(ctx, keys, sel); done || err != nil {
		return err
	}
	plain, err := decodeDictionaries(ctx, p.o, keys)
	if err != nil {
		return err
	}
	defer releaseArrays(plain)
	if sel == nil {
		p.table.insert(plain, p.gids)
		return nil
	}
	return p.insertSelected(plain)
}

// dictScratch is what insertCodes reuses across batches.
type dictScratch struct {
	combo   []int32 // per row: its combination of codes
	lut     []int32 // per combination: its group, or -1
	reps    []int32 // first row of each combination new in the batch
	repGids []int32
}

// insertCodes is insertKeys through the dictionary codes when every key
// is a dictionary array and their combinations are few enough; it
// reports false, having changed nothing, otherwise.
func (p *aggPart) insertCodes(ctx context.Context, keys []arrow.Array, sel []int32) (bool, error) {
	n := len(p.gids)
	combos := 1
	for _, k := range keys {
		d, ok := k.(*array.Dictionary)
		if !ok {
			return false, nil
		}
		combos *= d.Dictionary().Len() + 1 // the last code stands for NULL
		if combos > n+maxDictCombos {
			return false, nil
		}
	}
	if len(keys) == 0 {
		return false, nil
	}
	s := &p.dict
	s.combo = growTo(s.combo[:0], n)[:n]
	clear(s.combo)
	stride := int32(1)
	for _, k := range keys {
		d := k.(*array.Dictionary)
		codes := d.Indices().(*array.Int32).Int32Values()
		null := int32(d.Dictionary().Len())
		if d.NullN() == 0 {
			for i, c := range codes {
				s.combo[i] += c * stride
			}
		} else {
			for i, c := range codes {
				if d.IsNull(i) {
					c = null
				}
				s.combo[i] += c * stride
			}
		}
		stride *= null + 1
	}
	s.lut = growTo(s.lut[:0], combos)[:combos]
	for i := range s.lut {
		s.lut[i] = -1
	}
	// The first row of each combination, in row order, so that groups
	// keep their order of first appearance.
	s.reps = s.reps[:0]
	if sel == nil {
		for i, c := range s.combo {
			if s.lut[c] < 0 {
				s.lut[c] = 0
				s.reps = append(s.reps, int32(i))
			}
		}
	} else {
		for _, i := range sel {
			if c := s.combo[i]; s.lut[c] < 0 {
				s.lut[c] = 0
				s.reps = append(s.reps, i)
			}
		}
	}
	if len(s.reps) > 0 {
		taken, err := takeColumns(p.o.env.Mem, keys, s.reps)
		if err != nil {
			return true, err
		}
		plain, err := decodeDictionaries(ctx, p.o, taken)
		releaseArrays(taken)
		if err != nil {
			return true, err
		}
		s.repGids = growTo(s.repGids[:0], len(s.reps))[:len(s.reps)]
		p.table.insert(plain, s.repGids)
		releaseArrays(plain)
		for j, i := range s.reps {
			s.lut[s.combo[i]] = s.repGids[j]
		}
	}
	if sel == nil {
		for i, c := range s.combo {
			p.gids[i] = s.lut[c]
		}
		return true, nil
	}
	for i := range p.gids {
		p.gids[i] = -1
	}
	for _, i := range sel {
		p.gids[i] = s.lut[s.combo[i]]
	}
	return true, nil
}

// decodeDictionaries returns keys with every dictionary array decoded
// into its plain values (the others retained as they are).
func decodeDictionaries(ctx context.Context, o *hashAggOp, keys []arrow.Array) ([]arrow.Array, error) {
	out := make([]arrow.Array, len(keys))
	cctx := compute.WithAllocator(ctx, o.env.Mem)
	for i, k := range keys {
		d, ok := k.(*array.Dictionary)
		if !ok {
			k.Retain()
			out[i] = k
			continue
		}
		v, err := compute.TakeArray(cctx, d.Dictionary(), d.Indices())
		if err != nil {
			releaseArrays(out)
			return nil, errInternal("decoding dictionary key: %v", err)
		}
		out[i] = v
	}
	return out, nil
}

// plainBatch returns b with its dictionary columns decoded, in the
// schema o.plainSchema (b itself, retained, when it has none).
func (o *hashAggOp) plainBatch(ctx context.Context, b arrow.RecordBatch) (arrow.RecordBatch, error) {
	cols := b.Columns()
	if !hasDictionary(cols) {
		b.Retain()
		return b, nil
	}
	plain, err := decodeDictionaries(ctx, o, cols)
	if err != nil {
		return nil, err
	}
	return newBatch(o.plainSchema(), plain, int(b.NumRows())), nil
}

func hasDictionary(cols []arrow.Array) bool {
	for _, c := range cols {
		if c.DataType().ID() == arrow.DICTIONARY {
			return true
		}
	}
	return false
}

// plainSchema is the inputs' schema with dictionary columns as their
// value types: the schema of spilled rows.
func (o *hashAggOp) plainSchema() *arrow.Schema {
	o.plainOnce.Do(func() {
		s := o.inputs[0].Schema()
		fs := s.Fields()
		for i, f := range fs {
			if d, ok := f.Type.(*arrow.DictionaryType); ok {
				fs[i].Type = d.ValueType
			}
		}
		o.plain = arrow.NewSchema(fs, nil)
	})
	return o.plain
}
