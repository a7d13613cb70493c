package parquet

import (
	"encoding/binary"
	"errors"
)

// hybrid decodes Parquet's RLE/bit-packed hybrid encoding, in which
// definition levels (bit width 1) and dictionary indices are stored: a
// sequence of runs, each either one value repeated or groups of eight
// values packed bw bits each, least significant bit first. Levels are
// read run by run (see flatColumn.defLevels); indices in bulk (decode).
type hybrid struct {
	data []byte // the runs not yet started
	bw   uint   // bits per value, 0 to 32
	left int    // values left in the current run
	rle  bool   // the current run repeats val
	val  uint32
	run  []byte // the current bit-packed run
	pos  int    // index in run of its next value
}

// errRuns reports RLE/bit-packed data that ends early or is malformed.
var errRuns = errors.New("corrupt RLE/bit-packed data")

// maxRunValues bounds a run's length so that counts never overflow.
const maxRunValues = 1 << 31

func (h *hybrid) reset(data []byte, bw uint) { *h = hybrid{data: data, bw: bw} }

// nextRun starts the next run.
func (h *hybrid) nextRun() error {
	hdr, n := binary.Uvarint(h.data)
	if n <= 0 {
		return errRuns
	}
	h.data = h.data[n:]
	if hdr&1 == 0 {
		count := hdr >> 1
		vb := int(h.bw+7) / 8
		if count == 0 || count > maxRunValues || len(h.data) < vb {
			return errRuns
		}
		var v uint32
		for i := range vb {
			v |= uint32(h.data[i]) << (8 * i)
		}
		if h.bw < 32 && v>>h.bw != 0 {
			return errRuns
		}
		h.rle, h.val, h.left = true, v, int(count)
		h.data = h.data[vb:]
		return nil
	}
	groups := hdr >> 1
	if groups == 0 || groups > maxRunValues/8 {
		return errRuns
	}
	count, size := int(groups)*8, int(groups)*int(h.bw)
	if size > len(h.data) {
		// Writers may cut the last run short of its padding.
		size = len(h.data)
		count = size * 8 / int(h.bw)
		if count == 0 {
			return errRuns
		}
	}
	h.rle, h.run, h.pos, h.left = false, h.data[:size], 0, count
	h.data = h.data[size:]
	return nil
}

// decode fills dst with the next len(dst) values.
func (h *hybrid) decode(dst []uint32) error {
	for got := 0; got < len(dst); {
		if h.left == 0 {
			if err := h.nextRun(); err != nil {
				return err
			}
		}
		m := min(h.left, len(dst)-got)
		if h.rle {
			v := h.val
			for i := range dst[got : got+m] {
				dst[got+i] = v
			}
		} else {
			unpack(dst[got:got+m], h.run, h.pos, h.bw)
			h.pos += m
		}
		h.left -= m
		got += m
	}
	return nil
}

// unpack reads len(dst) values of bw bits from run, starting with its
// value pos. Values of up to 8 bits go eight at a time from a group's bw
// bytes; others one at a time from the eight bytes holding them (a value
// of at most 32 bits at a bit offset of at most 7 fits in them), the
// last ones from a padded copy of run's end.
func unpack(dst []uint32, run []byte, pos int, bw uint) {
	mask := uint64(1)<<bw - 1
	bit := pos * int(bw)
	i := 0
	if bw <= 8 {
		for ; i < len(dst) && (pos+i)%8 != 0 && bit>>3+8 <= len(run); i++ {
			dst[i] = uint32(binary.LittleEndian.Uint64(run[bit>>3:]) >> (bit & 7) & mask)
			bit += int(bw)
		}
		if (pos+i)%8 == 0 {
			for ; i+8 <= len(dst) && bit>>3+8 <= len(run); i += 8 {
				w := binary.LittleEndian.Uint64(run[bit>>3:])
				d := dst[i : i+8 : i+8]
				d[0] = uint32(w & mask)
				d[1] = uint32(w >> bw & mask)
				d[2] = uint32(w >> (2 * bw) & mask)
				d[3] = uint32(w >> (3 * bw) & mask)
				d[4] = uint32(w >> (4 * bw) & mask)
				d[5] = uint32(w >> (5 * bw) & mask)
				d[6] = uint32(w >> (6 * bw) & mask)
				d[7] = uint32(w >> (7 * bw) & mask)
				bit += 8 * int(bw)
			}
		}
	}
	for ; i < len(dst) && bit>>3+8 <= len(run); i++ {
		dst[i] = uint32(binary.LittleEndian.Uint64(run[bit>>3:]) >> (bit & 7) & mask)
		bit += int(bw)
	}
	if i == len(dst) {
		return
	}
	// The last values lie in fewer than eight bytes: read them from a
	// zero-padded copy.
	var tail [16]byte
	copy(tail[:], run[min(bit>>3, len(run)):])
	for bit &= 7; i < len(dst); i++ {
		dst[i] = uint32(binary.LittleEndian.Uint64(tail[min(bit>>3, 8):]) >> (bit & 7) & mask)
		bit += int(bw)
	}
}
