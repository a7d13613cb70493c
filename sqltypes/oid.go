package sqltypes

import (
	"math"
	"strconv"
)

// Object identifiers. PostgreSQL's oid is an unsigned 32-bit integer; its
// reg* types (regclass, regtype, …) are the same ids whose text is the
// object's name. meshql holds all of them as uint32 datums in Arrow
// uint32 columns, so they order unsigned as PostgreSQL's do.

// Type ids of the object-identifier types (pg_type.oid).
const (
	OIDRegType      uint32 = 2206
	OIDRegProc      uint32 = 24
	OIDRegProcedure uint32 = 2202
	OIDRegNamespace uint32 = 4089
	OIDRegRole      uint32 = 4096
)

var oidKindOIDs = map[Kind]uint32{
	Oid: OIDOid, RegClass: OIDRegclass, RegType: OIDRegType, RegProc: OIDRegProc,
	RegProcedure: OIDRegProcedure, RegNamespace: OIDRegNamespace, RegRole: OIDRegRole,
}

var oidKindNames = map[Kind]string{
	Oid: "oid", RegClass: "regclass", RegType: "regtype", RegProc: "regproc",
	RegProcedure: "regprocedure", RegNamespace: "regnamespace", RegRole: "regrole",
}

// IsOID reports whether t is oid or one of the reg* types.
func (t Type) IsOID() bool {
	switch t.Kind {
	case Oid, RegClass, RegType, RegProc, RegProcedure, RegNamespace, RegRole:
		return true
	}
	return false
}

// IsReg reports whether t is one of the reg* types (an oid printed as a
// name).
func (t Type) IsReg() bool { return t.IsOID() && t.Kind != Oid }

// ParseOID reads text as PostgreSQL's oidin does: a decimal integer,
// blanks around it skipped, from -2147483648 to 4294967295; negative
// values wrap to the unsigned range ('-1' is 4294967295). 22P02 for text
// that is no integer, 22003 out of that range.
func ParseOID(s string) (uint32, error) {
	t := trimSpace(s)
	bad := func() error { return New(CodeInvalidTextRepr, "invalid input syntax for type oid: \"%s\"", s) }
	if t == "" {
		return 0, bad()
	}
	digits := t
	if digits[0] == '+' || digits[0] == '-' {
		digits = digits[1:]
	}
	if digits == "" {
		return 0, bad()
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, bad()
		}
	}
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil || v < math.MinInt32 || v > math.MaxUint32 {
		return 0, New(CodeNumericOutOfRange, "value \"%s\" is out of range for type oid", s)
	}
	return uint32(v), nil
}

// OIDOfInt64 is the cast of an int8 to oid (PostgreSQL's i8tooid):
// 22003 "OID out of range" outside 0..4294967295.
func OIDOfInt64(v int64) (uint32, error) {
	if v < 0 || v > math.MaxUint32 {
		return 0, New(CodeNumericOutOfRange, "OID out of range")
	}
	return uint32(v), nil
}
