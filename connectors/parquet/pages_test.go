package parquet

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
)

// encodeHybrid writes vals in the RLE/bit-packed hybrid encoding with bw
// bits each: runs of eight or more equal values as RLE runs, the rest
// bit-packed in groups of eight (the last group padded with zeros).
func encodeHybrid(vals []uint32, bw uint) []byte {
	var out []byte
	for i := 0; i < len(vals); {
		j := i
		for j < len(vals) && vals[j] == vals[i] {
			j++
		}
		if j-i >= 8 {
			out = binary.AppendUvarint(out, uint64(j-i)<<1)
			for k := range int(bw+7) / 8 {
				out = append(out, byte(vals[i]>>(8*k)))
			}
			i = j
			continue
		}
		// Bit-pack up to the next run of eight equal values, in groups.
		end := i + 8
		for end < len(vals) {
			k := end
			for k < len(vals) && vals[k] == vals[end] {
				k++
			}
			if k-end >= 8 {
				break
			}
			end += 8
		}
		groups := (end - i + 7) / 8
		out = binary.AppendUvarint(out, uint64(groups)<<1|1)
		packed := make([]byte, groups*int(bw))
		for k := range groups * 8 {
			var v uint64
			if i+k < len(vals) {
				v = uint64(vals[i+k])
			}
			for b := range bw {
				if v>>b&1 != 0 {
					bit := k*int(bw) + int(b)
					packed[bit/8] |= 1 << (bit % 8)
				}
			}
		}
		out = append(out, packed...)
		i = min(end, len(vals))
	}
	return out
}

// TestHybridDecode decodes encoded values of every bit width in pieces
// of random sizes (so that reads start inside runs and groups), and
// checks that cut or random input is an error, not a panic.
func TestHybridDecode(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for bw := uint(0); bw <= 32; bw++ {
		vals := make([]uint32, 1000+rng.IntN(500))
		for i := range vals {
			if i > 0 && rng.IntN(4) > 0 && i%50 < 30 {
				vals[i] = vals[i-1]
			} else if bw > 0 {
				vals[i] = uint32(rng.Uint64() & (1<<bw - 1))
			}
		}
		enc := encodeHybrid(vals, bw)
		var h hybrid
		h.reset(enc, bw)
		got := make([]uint32, len(vals))
		for at := 0; at < len(vals); {
			k := min(len(vals)-at, 1+rng.IntN(40))
			if err := h.decode(got[at : at+k]); err != nil {
				t.Fatalf("bw %d: %v", bw, err)
			}
			at += k
		}
		for i := range vals {
			if got[i] != vals[i] {
				t.Fatalf("bw %d: value %d is %d, want %d", bw, i, got[i], vals[i])
			}
		}
		h.reset(enc[:len(enc)/2], bw)
		if err := h.decode(got); err == nil && bw > 0 {
			t.Errorf("bw %d: half of the runs decoded as %d values", bw, len(got))
		}
		for range 50 {
			junk := make([]byte, rng.IntN(64))
			for i := range junk {
				junk[i] = byte(rng.Uint32())
			}
			h.reset(junk, bw)
			_ = h.decode(got[:rng.IntN(len(got))])
		}
	}
}

// fakePages is a PageReader over pages held in memory.
type fakePages struct {
	pages []file.Page
	i     int
}

func (f *fakePages) Next() bool {
	if f.i >= len(f.pages) {
		return false
	}
	f.i++
	return true
}
func (f *fakePages) Page() file.Page                                  { return f.pages[f.i-1] }
func (f *fakePages) Err() error                                       { return nil }
func (f *fakePages) SetMaxPageHeaderSize(int)                         {}
func (f *fakePages) GetDictionaryPage() (*file.DictionaryPage, error) { return nil, nil }
func (f *fakePages) SeekToPageWithRow(int64) error                    { return nil }
func (f *fakePages) Close() error                                     { return nil }
func (f *fakePages) Reset(pq.BufferedReader, int64, compress.Compression, *file.CryptoContext) {
}

// pagedCase is a nullable column chunk of one paged kind: a dictionary
// page, a dictionary-encoded page, a PLAIN page and a PLAIN page in
// format v2, each of pageRows rows, one in three NULL.
type pagedCase struct {
	kind  flatKind
	typ   arrow.DataType
	value func(i int) []byte // PLAIN encoding of row i's value
	width int                // FIXED_LEN_BYTE_ARRAY width
}

const pageRows = 300

func (pc pagedCase) valid(i int) bool { return i%3 != 1 }

// pages returns the chunk's page contents: dictionary, then data pages.
func (pc pagedCase) pages() (dict []byte, data [][]byte, defLens []int) {
	const dictN = 7
	for i := range dictN {
		dict = append(dict, pc.value(i)...)
	}
	for p := range 3 {
		levels := make([]uint32, pageRows)
		var vals []byte
		var idx []uint32
		for r := range pageRows {
			i := p*pageRows + r
			if !pc.valid(i) {
				continue
			}
			levels[r] = 1
			if p == 0 || pc.kind == flatDict {
				idx = append(idx, uint32(i%dictN))
			} else {
				vals = append(vals, pc.value(i)...)
			}
		}
		defs := encodeHybrid(levels, 1)
		var body []byte
		if p < 2 {
			body = binary.LittleEndian.AppendUint32(nil, uint32(len(defs)))
		}
		body = append(body, defs...)
		if p == 0 || pc.kind == flatDict {
			vals = append([]byte{3}, encodeHybrid(idx, 3)...)
		}
		data = append(data, append(body, vals...))
		defLens = append(defLens, len(defs))
	}
	return dict, data, defLens
}

// want is the column pqarrow would read.
func (pc pagedCase) want(mem memory.Allocator) arrow.Array {
	b := array.NewBuilder(mem, pc.typ)
	defer b.Release()
	for i := range 3 * pageRows {
		if !pc.valid(i) {
			b.AppendNull()
			continue
		}
		src := i
		if i < pageRows || pc.kind == flatDict {
			src = i % 7
		}
		v := pc.value(src)
		switch x := b.(type) {
		case *array.Int64Builder:
			x.Append(int64(binary.LittleEndian.Uint64(v)))
		case *array.Decimal128Builder:
			if pc.kind == flatDecFixed {
				x.Append(decimal128.FromI64(fixedDecimal(src)))
			} else if len(v) == 4 {
				x.Append(decimal128.FromI64(int64(int32(binary.LittleEndian.Uint32(v)))))
			} else {
				x.Append(decimal128.FromI64(int64(binary.LittleEndian.Uint64(v))))
			}
		case *array.StringBuilder:
			x.Append(string(v[4:]))
		case *array.BinaryDictionaryBuilder:
			if err := x.AppendString(string(v[4:])); err != nil {
				panic(err)
			}
		}
	}
	return b.NewArray()
}

var pagedCases = map[string]pagedCase{
	"int64": {kind: flatInt64, typ: arrow.PrimitiveTypes.Int64, value: func(i int) []byte {
		return binary.LittleEndian.AppendUint64(nil, uint64(i*7919-1000))
	}},
	"dec32": {kind: flatDec32, typ: &arrow.Decimal128Type{Precision: 9, Scale: 2}, value: func(i int) []byte {
		return binary.LittleEndian.AppendUint32(nil, uint32(int32(-i*31)))
	}},
	"dec64": {kind: flatDec64, typ: &arrow.Decimal128Type{Precision: 18, Scale: 2}, value: func(i int) []byte {
		return binary.LittleEndian.AppendUint64(nil, uint64(int64(i)*-1_000_000_007))
	}},
	"decimal-fixed5": {kind: flatDecFixed, typ: &arrow.Decimal128Type{Precision: 11, Scale: 2}, width: 5, value: bigEndian(5)},
	"decimal-fixed3": {kind: flatDecFixed, typ: &arrow.Decimal128Type{Precision: 6, Scale: 2}, width: 3, value: bigEndian(3)},
	"string":         {kind: flatBytes, typ: arrow.BinaryTypes.String, value: stringValue},
	// Every data page dictionary-encoded, read as an Arrow dictionary.
	"dictionary": {kind: flatDict, typ: dictType(arrow.BinaryTypes.String), value: stringValue},
	// A dictionary page repeating values, which the Arrow dictionary
	// must not (GROUP BY groups rows by index).
	"dictionary-repeats": {kind: flatDict, typ: dictType(arrow.BinaryTypes.String), value: func(i int) []byte { return stringValue(i % 3) }},
}

// fixedDecimal is the unscaled value of row i of the decimal-fixed cases.
func fixedDecimal(i int) int64 { return int64(i*37 - 5000) }

// bigEndian returns the FIXED_LEN_BYTE_ARRAY encoding of fixedDecimal in
// width bytes.
func bigEndian(width int) func(int) []byte {
	return func(i int) []byte {
		b := binary.BigEndian.AppendUint64(nil, uint64(fixedDecimal(i)))
		return b[8-width:]
	}
}

func stringValue(i int) []byte {
	s := []byte("0123456789abcdefghijklmnopqrstuvwxyz")[:i*5%37]
	return append(binary.LittleEndian.AppendUint32(nil, uint32(len(s))), s...)
}

// readFakeChunk reads the chunk of the given page contents in batches
// of batch rows, as the scan would, and returns its rows (nil and the
// error if reading fails).
func readFakeChunk(pc pagedCase, dict []byte, data [][]byte, defLens []int, batch int, mem memory.Allocator) (arrow.Array, error) {
	pages := []file.Page{file.NewDictionaryPage(memory.NewBufferBytes(dict), 7, pq.Encodings.Plain)}
	for p, d := range data {
		buf := memory.NewBufferBytes(d)
		enc := pq.Encodings.Plain
		if p == 0 || pc.kind == flatDict {
			enc = pq.Encodings.RLEDict
		}
		if p < 2 {
			pages = append(pages, file.NewDataPageV1(buf, pageRows, enc, pq.Encodings.RLE, pq.Encodings.RLE, int32(len(d))))
		} else {
			pages = append(pages, file.NewDataPageV2(buf, pageRows, pageRows/3, pageRows, enc, int32(defLens[p]), 0, int32(len(d)), false))
		}
	}
	c := &flatColumn{kind: pc.kind, typ: pc.typ, width: pc.width, nullable: true, f: &chunkFile{mem: mem, fill: mem}, pr: &fakePages{pages: pages}, paged: true}
	var parts []arrow.Array
	defer func() {
		for _, a := range parts {
			a.Release()
		}
	}()
	defer c.release()
	for at := 0; at < 3*pageRows; at += batch {
		a, err := c.read(min(batch, 3*pageRows-at))
		if err != nil {
			return nil, err
		}
		parts = append(parts, a)
	}
	if pc.kind == flatDict {
		// Batches share the chunk's dictionary: compare values.
		return decodeDictionaries(parts, mem)
	}
	return array.Concatenate(parts, mem)
}

// decodeDictionaries returns the strings of the dictionary arrays parts.
func decodeDictionaries(parts []arrow.Array, mem memory.Allocator) (arrow.Array, error) {
	b := array.NewStringBuilder(mem)
	defer b.Release()
	for _, a := range parts {
		d := a.(*array.Dictionary)
		vals := d.Dictionary().(*array.String)
		seen := map[string]bool{}
		for i := range vals.Len() {
			if seen[vals.Value(i)] {
				return nil, fmt.Errorf("dictionary repeats %q", vals.Value(i))
			}
			seen[vals.Value(i)] = true
		}
		for i := range d.Len() {
			if d.IsNull(i) {
				b.AppendNull()
			} else {
				b.Append(vals.Value(d.GetValueIndex(i)))
			}
		}
	}
	return b.NewArray(), nil
}

// TestPagedColumns reads hand-made pages of each paged kind (dictionary,
// PLAIN, format v2; NULLs as RLE and bit-packed definition levels) in
// batches that end inside pages, then corrupted copies of them: every
// read yields the right rows, or for the corrupted ones rows or an
// error, without panicking (no recover here) or leaking memory.
func TestPagedColumns(t *testing.T) {
	for name, pc := range pagedCases {
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			want := pc.want(mem)
			defer want.Release()
			if pc.kind == flatDict {
				var err error
				dw := want
				if want, err = decodeDictionaries([]arrow.Array{dw}, mem); err != nil {
					t.Fatal(err)
				}
				defer want.Release()
			}
			dict, data, defLens := pc.pages()
			for _, batch := range []int{1000, 128, 7} {
				got, err := readFakeChunk(pc, dict, data, defLens, batch, mem)
				if err != nil {
					t.Fatalf("batch %d: %v", batch, err)
				}
				if !array.Equal(got, want) {
					t.Errorf("batch %d:\n got %v\nwant %v", batch, got, want)
				}
				got.Release()
			}
			rng := rand.New(rand.NewPCG(3, 4))
			failed := 0
			for iter := range 400 {
				bd := append([]byte(nil), dict...)
				bad := make([][]byte, len(data))
				for p := range data {
					bad[p] = append([]byte(nil), data[p]...)
				}
				for range 1 + iter%4 {
					p := rng.IntN(len(bad) + 1)
					target := &bd
					if p < len(bad) {
						target = &bad[p]
					}
					if len(*target) == 0 {
						continue
					}
					if rng.IntN(5) == 0 {
						*target = (*target)[:rng.IntN(len(*target))]
					} else {
						(*target)[rng.IntN(len(*target))] ^= byte(1 + rng.IntN(255))
					}
				}
				got, err := readFakeChunk(pc, bd, bad, defLens, 128, mem)
				if err != nil {
					failed++
					continue
				}
				got.Release()
			}
			t.Logf("%d of 400 corrupted chunks failed to read", failed)
		})
	}
}
