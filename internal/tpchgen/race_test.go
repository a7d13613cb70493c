//go:build race

package tpchgen

// raceEnabled: the race detector makes building the full text pool take
// about 30 s, so TestDbgenGolden then checks every column but the comments.
const raceEnabled = true
