package ops

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// takeDictionary gathers rows of a dictionary array by gathering its
// codes: the dictionary itself is shared, not copied, so a filter over a
// dictionary-encoded scan keeps the strings encoded.
func takeDictionary(mem memory.Allocator, arr *array.Dictionary, idx []int32) (arrow.Array, error) {
	codes, err := takeArray(mem, arr.Indices(), idx)
	if err != nil {
		return nil, err
	}
	defer codes.Release()
	return array.NewDictionaryArray(arr.DataType(), codes, arr.Dictionary()), nil
}
