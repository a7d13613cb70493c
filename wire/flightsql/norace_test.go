//go:build !race

package flightsql

// adbcSplitRace: see race_test.go.
const adbcSplitRace = false
